"""Settings live in `base` (shared), `dev` (local default), `production` and `test`."""
