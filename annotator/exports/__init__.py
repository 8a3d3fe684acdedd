"""Export formats as plain generator functions, shared by the API and `manage.py export`."""
