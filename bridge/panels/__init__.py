"""The WHMCS panels: what the bridge knows about one customer, as plain words for staff and for
the customer. Builders here return plain view models (dataclasses of text, numbers and dates);
the web layer renders them with autoescaping templates. No Flask here, and no personal value:
panels show field names, states, dates and who acted, never what a field held."""
