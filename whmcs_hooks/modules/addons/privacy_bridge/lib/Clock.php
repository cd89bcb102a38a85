<?php

namespace WHMCS\Module\Addon\PrivacyBridge;

/** The time the WHMCS side sees: unix seconds (WHMCS stamps whole seconds). */
interface Clock
{
    public function now(): int;
}
