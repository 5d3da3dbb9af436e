"""A throwaway PostgreSQL database for a benchmark run."""


def recreate_database(url):
    """Drop and create the database ``url`` names (on the same server, through its ``postgres`` database)."""
    import psycopg
    from dj_database_url import parse

    name = parse(url)["NAME"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
