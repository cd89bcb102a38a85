"""WHMCS External API: the `WhmcsClient` interface (api), its HTTP implementation (http), the one
requests.Session (session) and an in-memory emulator of api.php (emulator)."""
