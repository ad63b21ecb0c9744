/*
 * test_bittensor_envfile.c: Pylon .env migration.  The binding values
 * below are what python-dotenv 1.2 (dotenv_values) returns for the same
 * text; settings follow pylon-api.md section 6 and pydantic's lax parsing.
 */

#include <unistd.h>

#include "tap.h"
#include "bittensor/envfile.h"

static const char  sample[] =
    "# Pylon settings\n"
    "PYLON_BITTENSOR_NETWORK=ws://127.0.0.1:9944   # local node\n"
    "export PYLON_BITTENSOR_ARCHIVE_NETWORK = \"wss://archive.example:443\"\n"
    "pylon_tempo=99\n"
    "PYLON_IDENTITIES=[\"sn1\", \"Sn2\"]\n"
    "PYLON_ID_SN1_WALLET_NAME=validator\n"
    "PYLON_ID_SN1_HOTKEY_NAME='default'\n"
    "PYLON_ID_SN1_NETUID= 1\n"
    "PYLON_ID_SN1_TOKEN=\"s3cr#t \\\"quoted\\\"\\ttab\"\n"
    "PYLON_ID_SN2_WALLET_NAME=${PYLON_ID_SN1_WALLET_NAME}-2\n"
    "PYLON_ID_SN2_HOTKEY_NAME=${PYLON_TEST_MISSING_VAR:-hk2}\n"
    "PYLON_ID_SN2_NETUID=2_0\n"
    "PYLON_ID_SN2_TOKEN='multi\nline'\n"
    "PYLON_RECENT_OBJECTS_NETUIDS=[3, \"4\", 5.0]\n"
    "PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS=30.5\n"
    "PYLON_METRICS_TOKEN=a#b\n"
    "PYLON_OPEN_ACCESS_TOKEN= #x\n"
    "EMPTY=\n"
    "NOVALUE\n"
    "PYLON_WEIGHTS_RETRY_ATTEMPTS=5\n"
    "PYLON_WEIGHTS_RETRY_ATTEMPTS=7\n";


typedef struct {
    char  out[4096];
} acc_t;


static int
dump(void *ctx, const char *k, size_t kl, const char *v, size_t vl,
    unsigned line)
{
    acc_t  *a = ctx;
    size_t  n = strlen(a->out);

    snprintf(a->out + n, sizeof(a->out) - n, "%u:%.*s=%.*s|", line, (int) kl,
             k, (int) vl, v);
    return 0;
}


static char *
bindings(const char *text)
{
    static acc_t  a;
    char          err[PYLON_ENV_ERR_BYTES];

    a.out[0] = '\0';
    if (pylon_dotenv_each(text, strlen(text), "t.env", err, dump, &a) != 0) {
        snprintf(a.out, sizeof(a.out), "ERR %s", err);
    }
    return a.out;
}


static char *
settings_err(const char *text)
{
    static char  err[PYLON_ENV_ERR_BYTES];
    pylon_env_t  env;

    if (pylon_env_parse(&env, err, text, strlen(text), "p.env", text,
                        strlen(text), "p.env") == 0)
    {
        pylon_env_free(&env);
        return "OK";
    }
    return err;
}


static void
test_dotenv_grammar(void)
{
    is_str(bindings("A=1\n  B = two words  # c\nC='x # y'\n"),
           "1:A=1|2:B=two words|3:C=x # y|", "dotenv: basics and comments");
    is_str(bindings("A=a#b\nB= #x\nC=x\t#y\n"), "1:A=a#b|2:B=#x|3:C=x|",
           "dotenv: '#' needs whitespace before it");
    is_str(bindings("export A=1\nexport=2\n"), "1:A=1|2:export=2|",
           "dotenv: export prefix");
    is_str(bindings("A=\"l1\\nl2\\\\\\a\"\n"), "1:A=l1\nl2\\\a|",
           "dotenv: double-quote escapes");
    is_str(bindings("A='it\\'s \\n'\n"), "1:A=it's \\n|",
           "dotenv: single quotes decode only \\\\ and \\'");
    is_str(bindings("A=\"one\ntwo\"\nB=3\n"), "1:A=one\ntwo|3:B=3|",
           "dotenv: quoted values span lines");
    is_str(bindings("'K 1'=v\n"), "1:K 1=v|", "dotenv: quoted key");
    is_str(bindings("\n\n# only\n\nA=1\r\nB=2\rC=3"), "5:A=1|6:B=2|7:C=3|",
           "dotenv: blank lines, CRLF, CR, no final newline");
    is_str(bindings("A=x\nB=${A}y${NOPE_NOT_SET_X}z${NOPE_NOT_SET_X:-d}\n"),
           "1:A=x|2:B=xyzd|", "dotenv: interpolation");
    is_str(bindings("A=\"x\" y\n"),
           "ERR t.env:1: python-dotenv cannot parse this statement (Pylon "
           "would skip it with a warning)", "dotenv: junk after quotes");
    is_str(bindings("A=1\n=2\n"),
           "ERR t.env:2: python-dotenv cannot parse this statement (Pylon "
           "would skip it with a warning)", "dotenv: missing key, line 2");
    is_str(bindings("A=\"open\n"),
           "ERR t.env:1: python-dotenv cannot parse this statement (Pylon "
           "would skip it with a warning)", "dotenv: unclosed quote");
    is_str(bindings("A=\xff\n"), "ERR t.env:1: not valid UTF-8",
           "dotenv: invalid UTF-8");
    is_str(bindings("A=\"a\\\"b\"\n"), "1:A=a\"b|",
           "dotenv: escaped quote inside double quotes");
}


static void
test_sample(void)
{
    pylon_env_t  env;
    char         err[PYLON_ENV_ERR_BYTES];
    int          rc;

    is_str(bindings(sample),
           "2:PYLON_BITTENSOR_NETWORK=ws://127.0.0.1:9944|"
           "3:PYLON_BITTENSOR_ARCHIVE_NETWORK=wss://archive.example:443|"
           "4:pylon_tempo=99|"
           "5:PYLON_IDENTITIES=[\"sn1\", \"Sn2\"]|"
           "6:PYLON_ID_SN1_WALLET_NAME=validator|"
           "7:PYLON_ID_SN1_HOTKEY_NAME=default|"
           "8:PYLON_ID_SN1_NETUID=1|"
           "9:PYLON_ID_SN1_TOKEN=s3cr#t \"quoted\"\ttab|"
           "10:PYLON_ID_SN2_WALLET_NAME=validator-2|"
           "11:PYLON_ID_SN2_HOTKEY_NAME=hk2|"
           "12:PYLON_ID_SN2_NETUID=2_0|"
           "13:PYLON_ID_SN2_TOKEN=multi\nline|"
           "15:PYLON_RECENT_OBJECTS_NETUIDS=[3, \"4\", 5.0]|"
           "16:PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS=30.5|"
           "17:PYLON_METRICS_TOKEN=a#b|"
           "18:PYLON_OPEN_ACCESS_TOKEN=#x|"
           "19:EMPTY=|"
           "21:PYLON_WEIGHTS_RETRY_ATTEMPTS=5|"
           "22:PYLON_WEIGHTS_RETRY_ATTEMPTS=7|",
           "sample: bindings as python-dotenv returns them");

    rc = pylon_env_parse(&env, err, sample, strlen(sample), "p.env", sample,
                         strlen(sample), "p.env");
    ok(rc == 0, "sample: parsed");
    if (rc != 0) {
        diag("%s", err);
        return;
    }

    is_str(env.network, "ws://127.0.0.1:9944", "network");
    is_str(env.archive_network, "wss://archive.example:443",
           "archive network");
    is_int(env.archive_cutoff, 300, "archive cutoff default");
    is_str(env.wallet_path, "/root/.bittensor/wallets", "wallet path default");
    ok(env.tempo_line == 4, "PYLON_TEMPO (removed in v2) is noted, not read: "
       "lower-case name matched");
    ok(env.network_set && env.archive_network_set, "both nodes named");
    ok(env.block_duration == 12.0, "block duration default");
    ok(!env.window_set && env.window_cycle == 3 && env.window_offset == 180
       && env.window_buffer == 10, "commit window defaults, off");
    is_str(env.evm_rpc_url, "", "EVM node unset unless named (a pair)");
    ok(env.evm_archive_cutoff == 300, "EVM cutoff default");
    is_int(env.weights_retry_attempts, 7, "a later binding wins");
    is_int(env.weights_retry_delay, 1, "weights delay default");
    is_int(env.commitment_retry_attempts, 10, "commitment retries default");
    ok(env.default_timeout == 30.5, "default timeout");
    ok(env.max_timeout == 300.0, "max timeout default");
    is_int(env.recent_soft, 100, "soft default");
    is_int(env.recent_hard, 150, "hard default");
    is_int(env.recent_lead, 10, "lead default");
    is_str(env.metrics_token, "a#b", "metrics token");
    is_str(env.open_access_token, "#x", "open access token");
    is_int(env.nnetuids, 3, "netuids count");
    ok(env.nnetuids == 3 && env.netuids[0] == 3 && env.netuids[1] == 4
       && env.netuids[2] == 5, "netuids: int, numeric string, 5.0");

    is_int(env.nidentities, 2, "identities");
    if (env.nidentities == 2) {
        is_str(env.identities[0].name, "sn1", "identity 1 name");
        is_str(env.identities[0].wallet_name, "validator", "identity 1 wallet");
        is_str(env.identities[0].hotkey_name, "default", "identity 1 hotkey");
        is_int(env.identities[0].netuid, 1, "identity 1 netuid");
        is_str(env.identities[0].token, "s3cr#t \"quoted\"\ttab",
               "identity 1 token");
        is_str(env.identities[1].name, "Sn2", "identity 2 keeps its case");
        is_str(env.identities[1].wallet_name, "validator-2",
               "identity 2 interpolated wallet");
        is_str(env.identities[1].hotkey_name, "hk2", "identity 2 default");
        is_int(env.identities[1].netuid, 20, "identity 2 netuid 2_0");
        is_str(env.identities[1].token, "multi\nline", "identity 2 token");
    }

    pylon_env_free(&env);
    pylon_env_free(&env);
    ok(1, "free twice is safe");
}


static void
test_errors(void)
{
    is_str(settings_err(""), "OK", "empty file: all defaults");
    is_str(settings_err("PYLON_TEMPO=abc\n"), "OK",
           "PYLON_TEMPO is gone in v2: ignored");
    is_str(settings_err("PYLON_BLOCK_DURATION_SECONDS=0\n"),
           "p.env:1: PYLON_BLOCK_DURATION_SECONDS: must be a positive number "
           "of seconds", "block duration above 0");
    is_str(settings_err("PYLON_COMMIT_CYCLE_LENGTH=x\n"),
           "p.env:1: PYLON_COMMIT_CYCLE_LENGTH: Input should be a valid "
           "integer, unable to parse string as an integer", "window cycle");
    is_str(settings_err("A=1\nPYLON_WEIGHTS_RETRY_ATTEMPTS=abc\n"),
           "p.env:2: PYLON_WEIGHTS_RETRY_ATTEMPTS: Input should be a valid "
           "integer, unable to "
           "parse string as an integer", "bad int, with line");
    is_str(settings_err("PYLON_WEIGHTS_RETRY_ATTEMPTS=1.5\n"),
           "p.env:1: PYLON_WEIGHTS_RETRY_ATTEMPTS: Input should be a valid "
           "integer, unable to "
           "parse string as an integer", "fractional int");
    is_str(settings_err("PYLON_WEIGHTS_RETRY_ATTEMPTS=1.0\n"), "OK",
           "1.0 is an int");
    is_str(settings_err("PYLON_MAX_REQUEST_TIMEOUT_SECONDS=x\n"),
           "p.env:1: PYLON_MAX_REQUEST_TIMEOUT_SECONDS: Input should be a "
           "valid number, unable to parse string as a number", "bad float");
    is_str(settings_err("PYLON_IDENTITIES=sn1,sn2\n"),
           "p.env:1: PYLON_IDENTITIES: a JSON list is expected (JSON is "
           "malformed: invalid character (byte 0))",
           "comma-separated identities are not JSON");
    is_str(settings_err("PYLON_IDENTITIES={}\n"),
           "p.env:1: PYLON_IDENTITIES: Input should be a valid list",
           "identities: object");
    is_str(settings_err("PYLON_IDENTITIES=[1]\n"),
           "p.env:1: PYLON_IDENTITIES: item 0: Input should be a valid string",
           "identities: number");
    is_str(settings_err("PYLON_IDENTITIES=[\"a\"]\nPYLON_ID_A_WALLET_NAME=w\n"),
           "p.env: PYLON_ID_A_HOTKEY_NAME: Field required (identity \"a\")",
           "identity: missing field");
    is_str(settings_err("PYLON_IDENTITIES=[\"a\"]\nPYLON_ID_A_WALLET_NAME=w\n"
                        "PYLON_ID_A_HOTKEY_NAME=h\nPYLON_ID_A_TOKEN=t\n"
                        "PYLON_ID_A_NETUID=70000\n"),
           "p.env:5: PYLON_ID_A_NETUID: a netuid is between 0 and 65535",
           "identity: netuid range");
    is_str(settings_err("PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS=200\n"),
           "p.env: PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS: Value error, "
           "hard_limit_blocks must be greater than soft_limit_blocks.",
           "soft above hard");
    is_str(settings_err("PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS=150\n"), "OK",
           "soft == hard allowed");
    {
        static const char  t[] = "PYLON_WEIGHTS_RETRY_ATTEMPTS=1\n"
                                 "pylon_weights_retry_attempts=7\n"
                                 "PYLON_WEIGHTS_RETRY_ATTEMPTS=99\n";
        pylon_env_t        env;
        char               err[PYLON_ENV_ERR_BYTES];

        ok(pylon_env_parse(&env, err, t, strlen(t), "p", t, strlen(t), "p")
           == 0 && env.weights_retry_attempts == 7,
           "case collision: pydantic-settings "
           "order (first position of each spelling, last value)");
        pylon_env_free(&env);
    }
    is_str(settings_err("PYLON_RECENT_OBJECTS_NETUIDS=[1, null]\n"),
           "p.env:1: PYLON_RECENT_OBJECTS_NETUIDS: item 1: Input should be a "
           "valid integer", "netuids: null");
}


static void
test_files(void)
{
    pylon_env_t  env;
    char         err[PYLON_ENV_ERR_BYTES], p1[64], p2[64];
    FILE        *f;

    snprintf(p1, sizeof(p1), "/tmp/pylon-env-%d-a", (int) getpid());
    snprintf(p2, sizeof(p2), "/tmp/pylon-env-%d-b", (int) getpid());

    f = fopen(p1, "w");
    fputs("PYLON_IDENTITIES=[\"x\"]\nPYLON_ID_X_WALLET_NAME=ignored\n", f);
    fclose(f);
    f = fopen(p2, "w");
    fputs("PYLON_ID_X_WALLET_NAME=w\nPYLON_ID_X_HOTKEY_NAME=h\n"
          "PYLON_ID_X_NETUID=3\nPYLON_ID_X_TOKEN=t\n", f);
    fclose(f);

    ok(pylon_env_load(&env, err, p1, p2) == 0,
       "load: identities from PYLON_ID_ENV_FILE");
    ok(env.nidentities == 1 && strcmp(env.identities[0].wallet_name, "w") == 0
       && env.identities[0].netuid == 3, "load: identity read from file 2");
    pylon_env_free(&env);

    ok(pylon_env_load(&env, err, p1, NULL) == -1,
       "load: one file lacks fields");
    ok(strstr(err, "PYLON_ID_X_HOTKEY_NAME: Field required") != NULL,
       "load: message names the variable");

    ok(pylon_env_load(&env, err, "/nonexistent/pylon.env", NULL) == -1,
       "load: missing file");
    is_str(err, "/nonexistent/pylon.env: No such file or directory",
           "load: missing file message");

    unlink(p1);
    unlink(p2);
}


/* random statements: parsed or refused with a message, never a crash */
static void
test_noise(void)
{
    static const char  *atoms[] = {
        "PYLON_", "ID_", "A_", "TEMPO", "IDENTITIES", "WALLET_NAME", "=", "'",
        "\"", "\\", "#", " ", "\t", "\n", "\r", "export ", "${", "}",
        ":-", "[", "]", "\"a\"", ",", "1", "x", "\xc3\xa9", "\xff", "NETUID",
        "TOKEN", "HOTKEY_NAME"
    };
    pylon_env_t  env;
    char         text[512], err[PYLON_ENV_ERR_BYTES];
    uint64_t     r;
    int          i, k, n, bad;
    size_t       len;

    r = 88172645463325252ULL;
    bad = 0;
    for (i = 0; i < 20000; i++) {
        len = 0;
        n = 1 + (int) (r % 40);
        for (k = 0; k < n; k++) {
            const char  *a;

            r ^= r << 13; r ^= r >> 7; r ^= r << 17;
            a = atoms[r % (sizeof(atoms) / sizeof(atoms[0]))];
            if (len + strlen(a) < sizeof(text)) {
                memcpy(text + len, a, strlen(a));
                len += strlen(a);
            }
        }
        err[0] = '\0';
        if (pylon_env_parse(&env, err, text, len, "n", text, len, "n") == 0) {
            pylon_env_free(&env);
        } else if (err[0] == '\0') {
            bad++;
        }
    }
    is_int(bad, 0, "noise: 20000 random files parsed or refused with a "
           "message");
}


int
main(void)
{
    unsetenv("PYLON_TEST_MISSING_VAR");
    unsetenv("NOPE_NOT_SET_X");

    test_dotenv_grammar();
    test_sample();
    test_errors();
    test_files();
    test_noise();

    return done_testing();
}
