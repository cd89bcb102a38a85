<?php

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

$_ADDONLANG['module_name'] = 'Privacy Bridge';
$_ADDONLANG['module_description'] = 'Records client, contact and user changes in the privacy bridge ledger, '
    . 'asks it before protected profile changes and marketing mail, and shows its panels.';
$_ADDONLANG['activated'] = 'Privacy Bridge is active. Fill in the bridge URL and the webhook secret under Configure.';
$_ADDONLANG['activate_failed'] = 'The outbox table could not be created: %s';
$_ADDONLANG['deactivated'] = 'Privacy Bridge is off. The outbox table and its undelivered events are kept.';
$_ADDONLANG['upgraded'] = 'Privacy Bridge outbox table checked: %s.';
$_ADDONLANG['imported'] = 'The settings of includes/hooks/privacy_bridge.config.php were imported.';
$_ADDONLANG['leftovers'] = 'Delete these files of the older hook install: %s. Until they are gone the module '
    . 'sends everything and they stand down.';
$_ADDONLANG['console_link'] = 'Privacy console for this client';
$_ADDONLANG['client_page_title'] = 'Privacy';
$_ADDONLANG['privacy_menu'] = 'Privacy';
$_ADDONLANG['privacy_details_link'] = 'Privacy: what we keep about you, and download your data';
$_ADDONLANG['privacy_unavailable'] = 'Your privacy page is not available right now. Please try again later.';
$_ADDONLANG['privacy_wrong_password'] = 'The password was not correct. Nothing was exported.';
$_ADDONLANG['privacy_bad_token'] = 'The form had expired. Please try again.';
$_ADDONLANG['privacy_export_failed'] = 'Your data could not be exported right now. Please try again later.';
