package dev.mnistlab.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mnistlab.MnistlabException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing a PostgreSQL store's URL as libpq writes it, and never showing its password. No server needed. */
class PostgresUrlTest {

    private static PostgresUrl parse(String url) {
        return PostgresUrl.parse(url, Map.of());
    }

    @Test
    void aPasswordMayHoldSlashAtColonAndPlus() {
        PostgresUrl url = parse("postgresql://ann:pa/ss@w:rd+1@db.example:6543/studies");
        assertThat(url.user()).isEqualTo("ann");
        assertThat(url.password()).isEqualTo("pa/ss@w:rd+1");
        assertThat(url.host()).isEqualTo("db.example");
        assertThat(url.port()).isEqualTo(6543);
        assertThat(url.database()).isEqualTo("studies");
        assertThat(url.toString()).isEqualTo("postgresql://ann@db.example:6543/studies").doesNotContain("pa/ss");
    }

    @Test
    void percentEscapesAreDecodedAndPlusStaysPlus() {
        PostgresUrl url = parse("postgres://ann%40lab:a%2Fb+c%25@h/my%20db");
        assertThat(url.user()).isEqualTo("ann@lab");
        assertThat(url.password()).isEqualTo("a/b+c%");
        assertThat(url.database()).isEqualTo("my db");
        assertThat(url.jdbc()).isEqualTo("jdbc:postgresql://h:5432/my%20db");
    }

    @Test
    void aBadPercentEscapeIsOneLineWithoutThePassword() {
        assertThatThrownBy(() -> parse("postgresql://ann:se%zzcret@h/db")).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("a '%' not followed by two hex digits").hasMessageNotContaining("se%zzcret")
                .hasMessageNotContaining("cret");
    }

    @Test
    void queryParametersGoToTheDriver() {
        PostgresUrl url = parse("postgresql://ann:pw@h:5433/db?sslmode=require&sslrootcert=/etc/ca.pem");
        assertThat(url.jdbc()).isEqualTo("jdbc:postgresql://h:5433/db?sslmode=require&sslrootcert=/etc/ca.pem");
        assertThat(url.toString()).doesNotContain("pw");
    }

    @Test
    void theSchemeIsCaseInsensitiveAndIpv6HostsKeepTheirBrackets() {
        PostgresUrl url = parse("PostgreSQL://ann@[::1]:5433/db");
        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.jdbc()).isEqualTo("jdbc:postgresql://[::1]:5433/db");
    }

    @Test
    void missingPartsComeFromTheEnvironment() {
        PostgresUrl url = PostgresUrl.parse("postgresql://", Map.of("PGHOST", "envhost", "PGPORT", "6000",
                "PGDATABASE", "envdb", "PGUSER", "envuser", "PGPASSWORD", "envpw"));
        assertThat(url).isEqualTo(new PostgresUrl("envhost", 6000, "envdb", "envuser", "envpw", ""));
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db", Map.of("PGPORT", "x1")))
                .isInstanceOf(MnistlabException.class).hasMessageContaining("port x1 (from PGPORT)");
    }

    @Test
    void redactHidesEverythingUpToTheLastAtButTheUser() {
        assertThat(PostgresUrl.redact("postgresql://ann:pa/ss@w@h/db")).isEqualTo("postgresql://ann:***@h/db");
        assertThat(PostgresUrl.redact("postgresql://h/db?user=a&password=secret&sslmode=require"))
                .isEqualTo("postgresql://h/db?user=a&password=***&sslmode=require");
        assertThat(PostgresUrl.redact("postgresql://ann@h/db")).isEqualTo("postgresql://ann@h/db");
    }

    @Test
    void somethingElseIsRefusedWithoutItsPassword() {
        assertThatThrownBy(() -> parse("postgresql://ann:secret@h:99999/db")).isInstanceOf(MnistlabException.class)
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse("postgresql://ann:secret@h:0/db")).isInstanceOf(MnistlabException.class)
                .hasMessageContaining("port 0").hasMessageNotContaining("secret");
    }
}
