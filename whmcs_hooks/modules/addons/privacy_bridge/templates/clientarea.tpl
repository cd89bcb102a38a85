{* The customer privacy page. privacy_html is the bridge's fragment, every value already escaped by the bridge. *}
{if $privacy_notice}
    <div class="alert alert-warning privacy-bridge-notice">{$privacy_notice|escape:'html'}</div>
{/if}
<div class="privacy-bridge-page">
    {$privacy_html nofilter}
</div>
