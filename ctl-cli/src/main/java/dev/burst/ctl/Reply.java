package dev.burst.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An answer of the admin API.
 *
 * @param status the HTTP status
 * @param body   the JSON body; for an error, {@code {"error":"message"}}
 */
record Reply(int status, JsonNode body) {

    /** @return whether the status is 2xx */
    boolean ok() {
        return status / 100 == 2;
    }

    /** @return the body of a 2xx answer; otherwise the server's message as a {@link RefusedException} */
    JsonNode require() throws RefusedException {
        if (!ok()) {
            throw new RefusedException(error());
        }
        return body;
    }

    /**
     * @return the server's error message; else the outcome of the operation it answered with (an operation
     *         refused at once); else the status
     */
    String error() {
        String message = body.path("error").asText(body.path("operation").path("outcome").asText(""));
        String text = message.isEmpty() ? "HTTP " + status : message;
        return status == 401 ? text + " (check --token, " + Endpoint.TOKEN_ENV + " or the run directory's admin.token)"
                : text;
    }
}
