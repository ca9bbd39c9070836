"""The REST API under ``/api``: JSON in and out, one error envelope, cursor pagination, no secret ever returned."""
