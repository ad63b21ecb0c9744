/*
 * ngx_pylon_evm_openapi.c: the OpenAPI path item of the EVM logs route
 * (spec/pylon-v2.md §7), models inline, for ngx_pylon_openapi.c.
 */

#include "http/ngx_pylon_http.h"


static const char  ngx_pylon_evm_openapi_text[] =
"{\"post\":{"
  "\"tags\":[\"open access\"],"
  "\"summary\":\"Logs of an EVM contract, decoded against the ABI's "
    "events\","
  "\"operationId\":\"post_api__unstable_openaccess_evm_contracts_"
    "contract_address_logs\","
  "\"description\":\"eth_getLogs on the EVM archive node up to head - "
    "pylon_evm_archive_cutoff and on the EVM node above it. Limits: "
    "pylon_evm_limits range= (blocks), abi= (body bytes), logs= (logs per "
    "answer).\","
  "\"parameters\":["
    "{\"name\":\"contract_address\",\"in\":\"path\",\"required\":true,"
      "\"schema\":{\"type\":\"string\"}},"
    "{\"name\":\"from_block\",\"in\":\"query\",\"required\":true,"
      "\"schema\":{\"type\":\"integer\"}},"
    "{\"name\":\"to_block\",\"in\":\"query\",\"required\":true,"
      "\"schema\":{\"type\":\"integer\"}}],"
  "\"requestBody\":{\"required\":true,\"content\":{\"application/json\":"
    "{\"schema\":{\"type\":\"object\",\"required\":[\"abi\"],"
    "\"properties\":{\"abi\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\"}}}}}}},"
  "\"responses\":{"
    "\"200\":{\"description\":\"Success\",\"content\":{\"application/json\":"
      "{\"schema\":{\"type\":\"object\",\"required\":[\"logs\","
      "\"from_block\",\"to_block\"],\"properties\":{"
      "\"logs\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
        "\"required\":[\"event\",\"args\",\"address\",\"block_number\","
        "\"transaction_hash\",\"transaction_index\",\"log_index\"],"
        "\"properties\":{\"event\":{\"type\":\"string\"},"
        "\"args\":{\"type\":\"object\"},"
        "\"address\":{\"type\":\"string\"},"
        "\"block_number\":{\"type\":\"integer\"},"
        "\"transaction_hash\":{\"type\":\"string\"},"
        "\"transaction_index\":{\"type\":\"integer\"},"
        "\"log_index\":{\"type\":\"integer\"}}}},"
      "\"from_block\":{\"type\":\"integer\"},"
      "\"to_block\":{\"type\":\"integer\"}}}}}},"
    "\"400\":{\"description\":\"Invalid address, parameters or a limit\","
      "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}},"
    "\"401\":{\"description\":\"Client error\",\"content\":"
      "{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}},"
    "\"422\":{\"description\":\"Malformed ABI event entry\",\"content\":"
      "{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}},"
    "\"502\":{\"description\":\"The EVM node's error\",\"content\":"
      "{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}},"
    "\"503\":{\"description\":\"EVM nodes not configured\",\"content\":"
      "{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}},"
    "\"504\":{\"description\":\"Server error\",\"content\":"
      "{\"application/json\":{\"schema\":{\"$ref\":"
      "\"#/components/schemas/ErrorEnvelope\"}}}}}"
"}}";


json_t *
ngx_pylon_evm_openapi(void)
{
    return json_loads(ngx_pylon_evm_openapi_text, 0, NULL);
}
