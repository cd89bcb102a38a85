"""Marshmallow schemas at the HTTP boundary, named by direction (...InSchema / ...OutSchema).

The domain never imports this package: the web layer loads input here, then passes plain data in.
"""
