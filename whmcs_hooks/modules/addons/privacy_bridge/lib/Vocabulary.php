<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/**
 * The WHMCS vocabulary the module shares with the bridge: field names by category, hook
 * names and form names. Generated from bridge/vocabulary by `python -m bridge.vocabulary --php`;
 * do not edit by hand (docs/vocabulary.md).
 */
final class Vocabulary
{
    const ADDRESS_FIELDS = ['address1', 'address2', 'city', 'state', 'postcode', 'country'];
    const CONTACT_FIELDS = [
        'firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber',
    ];
    const TAX_ID = 'tax_id';
    const PROFILE_FIELDS = [
        'firstname', 'lastname', 'companyname', 'email', 'address1', 'address2', 'city', 'state',
        'postcode', 'country', 'phonenumber', 'tax_id',
    ];
    const GATEWAY_COLUMN = 'defaultgateway';
    const NOTES = 'notes';
    const BILLING_HOOK_FIELDS = ['tax_id', 'paymentmethod', 'billingcid', 'currency'];
    const PAYMETHODS = 'paymethods';
    const BILLING_FIELDS = ['tax_id', 'paymentmethod', 'billingcid', 'currency', 'paymethods'];
    const MARKETING_OPT_IN = 'marketing_emails_opt_in';
    const EMAIL_OPT_OUT = 'emailoptout';
    const CONSENT_FIELDS = ['marketing_emails_opt_in', 'isOptedInToMarketingEmails', 'emailoptout'];
    const CONSENT_STATE = ['marketing_emails_opt_in', 'emailoptout'];
    const EMAIL_PREFERENCES = 'email_preferences';
    const EMAIL_KINDS = ['general', 'product', 'domain', 'invoice', 'support', 'affiliate'];
    const ACCOUNT_FIELDS = [
        'status', 'groupid', 'language', 'taxexempt', 'latefeeoveride', 'overideduenotices',
        'separateinvoices', 'disableautocc', 'overrideautoclose', 'allow_sso', 'email_verified',
    ];
    const CLIENT_FLAGS = [
        'taxexempt', 'latefeeoveride', 'overideduenotices', 'separateinvoices', 'disableautocc',
        'emailoptout', 'marketing_emails_opt_in', 'overrideautoclose', 'email_verified',
    ];
    const CONTACT_SWITCHES = [
        'generalemails', 'productemails', 'domainemails', 'invoiceemails', 'supportemails',
        'affiliateemails',
    ];
    const USER_FIELDS = ['firstname', 'lastname', 'email', 'language'];
    const CARD_FIELDS = ['cardtype', 'cardlastfour'];
    const HANDLED_EVENTS = [
        'AfterClientMerge', 'CCUpdate', 'ClientAdd', 'ClientChangePassword', 'ClientClose',
        'ClientDelete', 'ClientEdit', 'ContactAdd', 'ContactDelete', 'ContactEdit', 'DailyCronJob',
        'PreDeleteClient', 'UserAdd', 'UserChangePassword', 'UserEdit', 'UserLogin',
    ];
    const CLIENT_VALIDATION_EVENT = 'ClientDetailsValidation';
    const CONTACT_VALIDATION_EVENT = 'ContactDetailsValidation';
    const EMAIL_EVENT = 'EmailPreSend';
    const VALIDATE_EVENTS = ['ClientDetailsValidation', 'ContactDetailsValidation', 'EmailPreSend'];
    const PANEL_HOOKS = [
        'AdminAreaClientSummaryPage', 'ClientAreaHomepage', 'ClientAreaHeaderOutput',
    ];
    const PRIVACY_PAGE_EVENT = 'ClientAreaPrivacyPage';
    const PANEL_EVENTS = [
        'AdminAreaClientSummaryPage', 'ClientAreaHeaderOutput', 'ClientAreaHomepage',
        'ClientAreaPrivacyPage',
    ];
    const ERASED_EVENT = 'PrivacyBridgeErased';
    const WORK_EVENT = 'AfterCronJob';
    const EXPORT_EVENT = 'ClientAreaExport';
    const MODULE_EVENTS = ['AfterCronJob', 'ClientAreaExport', 'PrivacyBridgeErased'];
    const MARKETING_OPT_IN_FORM = 'marketingoptin';
    const CONSENT_FORM = [
        'marketingoptin', 'marketing_emails_opt_in', 'emailoptout', 'email_preferences',
    ];
    const CHANGE_ID = 'bridge_change_id';
    const EXPORT_ACTION_FIELD = 'do';
    const EXPORT_ACTION = 'export';
    const EXPORT_PASSWORD_FIELD = 'password';
}
