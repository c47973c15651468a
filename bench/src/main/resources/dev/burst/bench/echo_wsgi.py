# The gunicorn+nginx peer's application (bench/README.md, "gunicorn+nginx"): the same echo as burst's
# hello plugin and the Helidon baseline. POST /cmd/{cmd} answers the request body, with the Burst-Ret: 0
# header burst sends; anything else is 404. gunicorn's sync workers run it, one request at a time each.


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if environ.get("REQUEST_METHOD") != "POST" or not path.startswith("/cmd/") or len(path) == len("/cmd/"):
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body))),
                              ("Burst-Ret", "0")])
    return [body]
