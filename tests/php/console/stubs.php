<?php
/*
 * Stand-ins for the WHMCS pieces the staff console uses: the admin CSRF token functions (and,
 * from whmcs_widget.php, \WHMCS\Module\AbstractWidget).
 */


namespace {
    require_once dirname(__DIR__) . '/whmcs_widget.php';
    /** The session's token; 'plain' gives the value, anything else the hidden input WHMCS prints. */
    function generate_token($type = 'form')
    {
        if (empty($_SESSION['tkval'])) {
            $_SESSION['tkval'] = bin2hex(random_bytes(16));
        }
        $value = $_SESSION['tkval'];
        return $type === 'plain' ? $value : '<input type="hidden" name="token" value="' . $value . '" />';
    }

    /** WHMCS ends the request on a bad token; here that is an exception the harness reports. */
    function check_token($namespace = 'WHMCS.default', $token = '')
    {
        $sent = $token !== '' ? $token : (isset($_POST['token']) ? $_POST['token'] : '');
        if (empty($_SESSION['tkval']) || !is_string($sent) || !hash_equals($_SESSION['tkval'], $sent)) {
            throw new RuntimeException('Invalid CSRF Protection Token');
        }
        return true;
    }
}
