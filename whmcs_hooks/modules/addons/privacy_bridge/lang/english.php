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
