<?php
/*
 * Renders one of the module's client-area templates as WHMCS does: with Smarty 3 (Debian's
 * smarty3 package, the Smarty line WHMCS's theme documentation names), the page's `vars` assigned
 * as template variables. Reads {module_dir, templatefile, vars, compile_dir} as JSON on stdin and
 * prints the HTML. Any PHP warning or notice makes the exit code 3, except the deprecations PHP 8.2
 * reports inside Smarty 3.1's own classes (dynamic properties), which no template can cause.
 */

error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
$errors = [];
require_once 'smarty3/Smarty.class.php';

set_error_handler(function ($level, $message, $file, $line) use (&$errors) {
    if (!(error_reporting() & $level)) {
        return false;
    }
    if ($level === E_DEPRECATED && strpos($file, SMARTY_DIR) === 0) {
        return true;
    }
    $errors[] = sprintf('PHP error %d: %s at %s:%d', $level, $message, $file, $line);
    return true;
});

$in = json_decode(stream_get_contents(STDIN), true);
$smarty = new Smarty();
$smarty->setTemplateDir($in['module_dir']);
$smarty->setCompileDir($in['compile_dir']);
$smarty->assign($in['vars']);
$html = $smarty->fetch($in['templatefile'] . '.tpl');
if ($errors) {
    fwrite(STDERR, implode("\n", $errors) . "\n");
    exit(3);
}
echo $html;
