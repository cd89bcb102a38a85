<?php
/*
 * Stand-ins for the WHMCS pieces the staff console uses: the admin CSRF token functions and
 * \WHMCS\Module\AbstractWidget (the shape its documentation gives: protected title, description,
 * weight, columns, cache, cacheExpiry, requiredPermission; getData, generateOutput, render).
 */

namespace WHMCS\Module {
    abstract class AbstractWidget
    {
        protected $title = '';
        protected $description = '';
        protected $weight = 100;
        protected $columns = 1;
        protected $cache = false;
        protected $cacheExpiry = 120;
        protected $requiredPermission = '';

        public function getId()
        {
            return static::class;
        }

        public function getTitle()
        {
            return $this->title;
        }

        public function getColumnSize()
        {
            return (int) $this->columns;
        }

        public function getWeight()
        {
            return (int) $this->weight;
        }

        public function isCachable()
        {
            return (bool) $this->cache;
        }

        public function getRequiredPermission()
        {
            return $this->requiredPermission;
        }

        public function getData()
        {
            return [];
        }

        public function generateOutput($data)
        {
            return '';
        }

        public function render($forceRefresh = false)
        {
            return $this->generateOutput($this->getData());
        }
    }
}

namespace {
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
