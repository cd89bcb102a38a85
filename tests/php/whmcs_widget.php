<?php
/*
 * Stand-in for \WHMCS\Module\AbstractWidget, the base of AdminHomeWidgets widgets, in the shape
 * WHMCS's documentation gives (protected title, description, weight, columns, cache, cacheExpiry,
 * requiredPermission; getData, generateOutput, render). Shared by every PHP harness.
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
