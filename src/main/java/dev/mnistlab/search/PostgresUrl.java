package dev.mnistlab.search;

import dev.mnistlab.MnistlabException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL store's address as libpq writes it, {@code postgresql://[user[:password]@][host][:port][/database][?k=v&...]},
 * what it leaves out taken from the standard variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD). Without a
 * password the driver reads ~/.pgpass (or PGPASSFILE). User, password and database are percent-decoded ({@code %40} is
 * '@'; a '+' stays a '+'); the password may also hold a raw '/', ':' or '@' (the host follows the last '@'). The query
 * ({@code sslmode=require}, ...) goes to the driver as written. {@link #toString()} never shows the password.
 *
 * @param query the parameters after '?', as written; empty when none
 */
record PostgresUrl(String host, int port, String database, String user, String password, String query) {

    private static final Pattern URL = Pattern.compile("(?i:postgres(?:ql)?)://(?:(.*)@)?"
            + "(\\[[^\\]@/?]*\\]|[^@:/?\\[\\]]*)(?::(\\d{1,5}))?(?:/([^?@]*))?(?:\\?([^@]*))?", Pattern.DOTALL);

    static PostgresUrl parse(String url, Map<String, String> env) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new MnistlabException("--storage " + redact(url) + " is not a PostgreSQL URL; write "
                    + "postgresql://[user[:password]@]host[:port]/database");
        }
        String userInfo = m.group(1);
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        String user = first(decode(colon < 0 ? userInfo : userInfo.substring(0, colon), url), env.get("PGUSER"),
                System.getProperty("user.name"));
        String password = colon < 0 ? null : decode(userInfo.substring(colon + 1), url);
        String host = first(m.group(2), env.get("PGHOST"), "localhost").replaceAll("^\\[|\\]$", "");
        if (host.startsWith("/")) {
            throw new MnistlabException("PGHOST " + host + " is a socket folder; give the server's host and port instead");
        }
        String port = first(m.group(3), env.get("PGPORT"), "5432");
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
            throw new MnistlabException("--storage " + redact(url) + ": port " + port + (m.group(3) == null ? " (from PGPORT)" : "")
                    + " is not a TCP port (1 to 65535)");
        }
        return new PostgresUrl(host, Integer.parseInt(port), first(decode(m.group(4), url), env.get("PGDATABASE"), user),
                user, first(password, env.get("PGPASSWORD"), null), m.group(5) == null ? "" : m.group(5));
    }

    String jdbc() {
        return "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20") + (query.isEmpty() ? "" : "?" + query);
    }

    @Override
    public String toString() {
        return "postgresql://" + user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    /**
     * {@code url} without its password, for messages: everything between "://" and the last '@' but the user name
     * (a password may hold '@'), and a {@code password=} parameter.
     */
    static String redact(String url) {
        String shown = url.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
        int scheme = shown.indexOf("://");
        int at = shown.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return shown;
        }
        String userInfo = shown.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon >= 0 ? userInfo.substring(0, colon) + ":***" : userInfo.contains("@") ? "***" : userInfo;
        return shown.substring(0, scheme + 3) + user + shown.substring(at);
    }

    /** What went wrong connecting, in one line, with what to check. */
    static String reason(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String hint = state.startsWith("28") ? "check the user and password (in the URL, PGPASSWORD or ~/.pgpass)"
                : state.equals("3D000") ? "create the database first (createdb)"
                : state.startsWith("08") ? "is the server running and reachable at that host and port?"
                : "check the URL";
        return firstLine(e) + "; " + hint;
    }

    static String firstLine(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }

    /** Percent-decoding only: a URL's '+' is a plus here, not a space as in a form. */
    private static String decode(String s, String url) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MnistlabException("--storage " + redact(url) + ": a '%' not followed by two hex digits in the user, "
                    + "password or database; write a '%' as %25 (and '@' as %40, '/' as %2F)");
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
