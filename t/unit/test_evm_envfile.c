/*
 * test_evm_envfile.c: the PYLON_EVM_* settings of a Pylon .env
 * (bittensor/envfile.h): the pair rule of Pylon 2.3.0 and the values.
 */

#include "tap.h"

#include "bittensor/envfile.h"


static int
parse(pylon_env_t *env, char *err, const char *text)
{
    return pylon_env_parse(env, err, text, strlen(text), "p.env", text,
                           strlen(text), "p.env");
}


int
main(void)
{
    char         err[PYLON_ENV_ERR_BYTES];
    pylon_env_t  env;

    ok(parse(&env, err, "PYLON_TEMPO=360\n") == 0, "no EVM names parses");
    is_str(env.evm_rpc_url, "", "EVM node unset by default");
    is_str(env.evm_archive_rpc_url, "", "EVM archive unset by default");
    ok(env.evm_archive_cutoff == 300, "EVM cutoff defaults to 300");
    pylon_env_free(&env);

    ok(parse(&env, err, "PYLON_EVM_RPC_URL=http://127.0.0.1:9944\n") != 0,
       "only the main EVM node is refused");
    is_str(err, "p.env: PYLON_EVM_RPC_URL was overridden but "
           "PYLON_EVM_ARCHIVE_RPC_URL was left at its default. Set both "
           "explicitly (you may repeat the default value, but it must be "
           "explicit).", "Pylon's pair message");

    ok(parse(&env, err, "PYLON_EVM_ARCHIVE_RPC_URL=wss://a:443\n") != 0,
       "only the archive EVM node is refused");
    ok(strstr(err, "PYLON_EVM_ARCHIVE_RPC_URL was overridden but "
              "PYLON_EVM_RPC_URL") != NULL, "names the archive first");

    ok(parse(&env, err, "PYLON_EVM_RPC_URL=https://lite.chain.opentensor.ai\n"
             "PYLON_EVM_ARCHIVE_RPC_URL=https://lite.chain.opentensor.ai\n"
             "PYLON_EVM_ARCHIVE_BLOCKS_CUTOFF=50\n") == 0,
       "both set (the same URL) parses");
    is_str(env.evm_rpc_url, "https://lite.chain.opentensor.ai", "main URL");
    is_str(env.evm_archive_rpc_url, "https://lite.chain.opentensor.ai",
           "archive URL");
    ok(env.evm_archive_cutoff == 50, "cutoff read");
    pylon_env_free(&env);

    ok(parse(&env, err, "PYLON_EVM_ARCHIVE_BLOCKS_CUTOFF=x\n") != 0,
       "a non-integer cutoff is refused");

    return done_testing();
}
