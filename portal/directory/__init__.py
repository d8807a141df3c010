"""The company directory (OpenLDAP or Active Directory): sign-in and the people sync.

`services.authenticate(username, password)` signs a person in against the directory and keeps
their local account in step; `services.sync(dry_run)` creates, updates and deactivates people;
`client` holds the LDAP connection and searches (ldap3). Settings: PORTAL_LDAP_* (see config.py).
"""
