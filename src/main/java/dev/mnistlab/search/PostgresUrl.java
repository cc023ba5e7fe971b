package dev.mnistlab.search;

import dev.mnistlab.MnistlabException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL store's address as libpq writes it, {@code postgresql://[user[:password]@][host][:port][/database]},
 * what it leaves out taken from the standard variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD). Without a
 * password the driver reads ~/.pgpass (or PGPASSFILE). {@link #toString()} never shows the password.
 */
record PostgresUrl(String host, int port, String database, String user, String password) {

    private static final Pattern URL = Pattern.compile(
            "postgres(?:ql)?://(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]*)(?::(\\d+))?(?:/([^?]*))?(?:\\?.*)?");

    static PostgresUrl parse(String url, Map<String, String> env) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new MnistlabException("--storage " + redact(url) + " is not a PostgreSQL URL; write "
                    + "postgresql://[user[:password]@]host[:port]/database");
        }
        String user = first(decode(m.group(1)), env.get("PGUSER"), System.getProperty("user.name"));
        String host = first(m.group(3), env.get("PGHOST"), "localhost");
        if (host.startsWith("/")) {
            throw new MnistlabException("PGHOST " + host + " is a socket folder; give the server's host and port instead");
        }
        String port = first(m.group(4), env.get("PGPORT"), "5432");
        return new PostgresUrl(host, Integer.parseInt(port), first(decode(m.group(5)), env.get("PGDATABASE"), user), user,
                first(decode(m.group(2)), env.get("PGPASSWORD"), null));
    }

    String jdbc() {
        return "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
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

    private static String redact(String url) {
        return url.replaceFirst("(://[^:@/]*):[^@/]*@", "$1:***@");
    }

    private static String decode(String s) {
        return s == null || s.isEmpty() ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
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
