"""Which names mark a secret: one list for every place that keeps secrets out of what it writes or shows
(connection fields masked in task logs, environment variables refused in a static DAG file)."""

from __future__ import annotations

# Words that mark a secret inside a field's or variable's name, in any case (Airflow's own masking uses
# the same idea: a name containing "password" or "token" hides its value).
SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "private_key", "api_key", "apikey",
                "access_key", "credential", "keyfile")


def looks_secret(name: str) -> bool:
    """Whether ``name`` names a secret; a path to a key file (``*_path``) is not one."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS) and not lowered.endswith("_path")
