/*
 * envfile.h: migration from Pylon's .env (pylon-api.md section 6) - the
 * PYLON_* settings and identities as pydantic-settings reads them, for
 * the lead's `pylon_env_file` directive to turn into directives.
 *
 * Reading follows python-dotenv's parser (what pydantic-settings calls):
 * `KEY=value` bindings, optional `export `, '#' comments, single- and
 * double-quoted values (which may span lines; "\n"-style escapes in
 * double quotes, \\ and \' in single quotes), unquoted values cut at
 * whitespace + '#', ${VAR} / ${VAR:-default} interpolation from earlier
 * keys then the process environment.  Names are matched case-insensitively
 * as pydantic-settings matches them: a later binding of the same spelling
 * wins; between spellings ("PYLON_TEMPO", "pylon_tempo") the one first
 * written later wins.  Lists
 * (PYLON_IDENTITIES, PYLON_RECENT_OBJECTS_NETUIDS) are JSON.
 *
 * Differences, all on the strict side: a line python-dotenv would skip
 * with a warning is an error here; unknown PYLON_* names are ignored
 * like Pylon does; values are not taken from the process environment
 * (only ${VAR} interpolation reads it); only ASCII whitespace and ASCII
 * upper-casing of identity names are handled.
 */

#ifndef PYLON_ENVFILE_H
#define PYLON_ENVFILE_H

#include <stddef.h>

#define PYLON_ENV_ERR_BYTES  256

typedef struct {
    char       *name;            /* as listed in PYLON_IDENTITIES */
    char       *wallet_name;     /* PYLON_ID_<NAME>_WALLET_NAME */
    char       *hotkey_name;     /* PYLON_ID_<NAME>_HOTKEY_NAME */
    char       *token;           /* PYLON_ID_<NAME>_TOKEN (wiped on free) */
    long        netuid;          /* PYLON_ID_<NAME>_NETUID, 0..65535 */
} pylon_env_identity_t;

/* every field holds Pylon's default unless the file sets it */
typedef struct {
    char                  *network;               /* "finney" */
    char                  *archive_network;       /* "archive" */
    long                   archive_cutoff;        /* 300 */
    char                  *wallet_path;           /* /root/.bittensor/wallets */
    pylon_env_identity_t  *identities;
    size_t                 nidentities;
    char                  *open_access_token;     /* "" (wiped on free) */
    char                  *metrics_token;         /* "" (wiped on free) */
    unsigned               tempo_line;            /* PYLON_TEMPO: removed in
                                                     v2, ignored; its line
                                                     (0: absent) */
    long                   weights_retry_attempts;      /* 200 */
    long                   weights_retry_delay;         /* 1 (seconds) */
    long                   commitment_retry_attempts;   /* 10 */
    long                   commitment_retry_delay;      /* 1 (seconds) */
    double                 default_timeout;       /* 60.0 seconds */
    double                 max_timeout;           /* 300.0 seconds */
    long                   recent_soft;           /* 100 blocks */
    long                   recent_hard;           /* 150 blocks */
    long                   recent_lead;           /* 10 blocks */
    long                  *netuids;               /* RECENT_OBJECTS_NETUIDS */
    size_t                 nnetuids;

    /* Pylon v2 (spec/pylon-v2.md §8) */
    int                    network_set;           /* the file names them */
    int                    archive_network_set;
    double                 block_duration;        /* 12.0 seconds */
    int                    window_set;            /* any of the three */
    long                   window_cycle;          /* COMMIT_CYCLE_LENGTH 3 */
    long                   window_offset;         /* ..._START_OFFSET 180 */
    long                   window_buffer;         /* ..._END_BUFFER 10 */
    char                  *evm_rpc_url;           /* "" unless set (pair) */
    char                  *evm_archive_rpc_url;   /* "" unless set (pair) */
    long                   evm_archive_cutoff;    /* 300 */
} pylon_env_t;

/*
 * Read settings from the text of a .env file and identities from idtext
 * (PYLON_ID_ENV_FILE; pass the same text when there is one file).  The
 * names are used in messages.  Returns 0 with *env filled (release with
 * pylon_env_free), or -1 with a message in err such as
 * "pylon.env:7: PYLON_TEMPO: Input should be a valid integer, unable to
 * parse string as an integer" (*env then holds nothing to free).
 */
int pylon_env_parse(pylon_env_t *env, char err[PYLON_ENV_ERR_BYTES],
    const char *text, size_t len, const char *name,
    const char *idtext, size_t idlen, const char *idname);

/* the same from files; id_path NULL means path */
int pylon_env_load(pylon_env_t *env, char err[PYLON_ENV_ERR_BYTES],
    const char *path, const char *id_path);

/* release everything (tokens are wiped first); safe twice */
void pylon_env_free(pylon_env_t *env);

/*
 * The raw bindings of a .env text as python-dotenv yields them, after
 * interpolation: calls fn(ctx, key, klen, value, vlen, line) per binding
 * with a value, in file order.  Returns 0, or -1 with err set
 * ("<name>:<line>: ...") for a statement python-dotenv cannot parse or
 * text that is not UTF-8.  fn returning non-zero stops with that value.
 */
int pylon_dotenv_each(const char *text, size_t len, const char *name,
    char err[PYLON_ENV_ERR_BYTES],
    int (*fn)(void *ctx, const char *key, size_t klen, const char *value,
              size_t vlen, unsigned line),
    void *ctx);

#endif /* PYLON_ENVFILE_H */
