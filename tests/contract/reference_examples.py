"""Example answers of the WHMCS API reference (docs/reference section 3), transcribed as data.

The conformance test holds the emulator to their keys and value types; values are not compared.
Where the reference abbreviates ("..."), the type of the placeholder is still the documented one.
"""

GET_CLIENTS = {
    "result": "success", "totalresults": 2, "startnumber": 0, "numreturned": 2,
    "clients": {"client": [{"id": 2, "firstname": "A", "lastname": "B", "companyname": "",
                            "email": "a@example.com", "datecreated": "2016-01-15",
                            "groupid": 0, "status": "Active"}]},
}

GET_CLIENTS_DETAILS = {
    "result": "success",
    "client": {
        "client_id": 1, "owner_user_id": 1, "userid": 1, "id": 1, "uuid": "...",
        "firstname": "T", "lastname": "C", "fullname": "T C", "companyname": "",
        "email": "t@example.com", "address1": "...", "address2": "", "city": "...",
        "state": "...", "fullstate": "...", "statecode": "...", "postcode": "...",
        "country": "GB", "countrycode": "GB", "countryname": "United Kingdom", "phonecc": "44",
        "phonenumber": "01234567890", "phonenumberformatted": "+44.1234567890",
        "telephoneNumber": "+44.1234567890", "tax_id": "",
        "email_preferences": {"general": "1", "invoice": "1", "support": "1", "product": "1",
                              "domain": "1", "affiliate": "1"},
        "billingcid": 0, "notes": "", "currency": 1, "currency_code": "USD",
        "defaultgateway": "", "groupid": 0, "status": "Active", "credit": "0.00",
        "taxexempt": False, "latefeeoveride": False, "overideduenotices": False,
        "separateinvoices": False, "disableautocc": False, "emailoptout": False,
        "marketing_emails_opt_in": True, "isOptedInToMarketingEmails": True,
        "overrideautoclose": False, "allowSingleSignOn": 1, "email_verified": True,
        "language": "", "lastlogin": "Date: 03/10/2016 10:26<br>IP Address:<br>Host:",
        "customfields": [{"id": 1, "value": "..."}], "customfields1": "...",
        "users": {"user": [{"id": 1, "name": "Testing User", "email": "u@example.com",
                            "is_owner": True}]},
    },
    "stats": {"numunpaidinvoices": 19, "unpaidinvoicesamount": "$2645.80 USD",
              "numoverdueinvoices": 19, "numcollectionsinvoices": 0,
              "numpaymentpendinginvoices": 0, "productsnumactive": 2, "numactivedomains": 2,
              "isAffiliate": False},
}

GET_PAY_METHODS_CARD = {
    "id": 1, "type": "RemoteCreditCard", "description": "Default Card", "gateway_name": "stripe",
    "contact_type": "Client", "contact_id": 1, "card_last_four": "4242", "expiry_date": "02/25",
    "start_date": "", "issue_number": "", "card_type": "Visa", "remote_token": "{...}",
    "last_updated": "17/05/2019 10:01",
}
GET_PAY_METHODS_BANK = {
    "id": 3, "type": "BankAccount", "description": "...", "gateway_name": "",
    "contact_type": "Client", "contact_id": 1, "bank_name": "...", "remote_token": "",
    "last_updated": "17/05/2019 10:01",
}
GET_PAY_METHODS = {"result": "success", "clientid": "1",
                   "paymethods": [GET_PAY_METHODS_CARD, GET_PAY_METHODS_BANK]}

GET_ACTIVITY_LOG = {
    "result": "success", "totalresults": 2, "startnumber": 0,
    "activity": {"entry": [{"id": 2, "clientId": 0, "userId": 0, "adminId": 1,
                            "date": "2021-01-01 06:56:49", "description": "...",
                            "username": "admin", "ipaddress": "172.18.0.1", "userid": 0}]},
}

GET_USERS = {
    "result": "success", "totalresults": 1, "startnumber": 0, "numreturned": 1,
    "users": [{"id": 1, "firstname": "J", "lastname": "S", "email": "j@example.net",
               "datecreated": "2020-12-15 15:29:49", "validationdata": "",
               "clients": [{"id": 1, "isOwner": True}]}],
}

# Write answers quoted inline by the reference.
UPDATE_CLIENT = {"result": "success", "clientid": "1"}
CLOSE_CLIENT = {"result": "success"}
DELETE_CLIENT = {"result": "success", "clientid": "1"}
UPDATE_CONTACT = {"result": "success", "contactid": "1"}
DELETE_CONTACT = {"result": "success", "contactid": "1"}
DELETE_PAY_METHOD = {"result": "success", "paymethodid": "1"}
ADD_CLIENT_NOTE = {"result": "success", "noteid": "1"}
LOG_ACTIVITY = {"result": "success"}
UPDATE_USER = {"result": "success", "user_id": "1"}

# Keys whose presence depends on data the example had and the demo lacks (a custom field).
DATA_DEPENDENT_KEYS = frozenset({"customfields1"})
# Lists the demo data leaves empty (no custom fields are defined); their type is still checked.
MAY_BE_EMPTY = frozenset({"customfields"})
