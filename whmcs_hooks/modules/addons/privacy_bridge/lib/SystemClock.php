<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** The server's clock. */
final class SystemClock implements Clock
{
    public function now(): int
    {
        return time();
    }
}
