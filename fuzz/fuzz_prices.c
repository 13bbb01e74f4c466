/* libFuzzer: price files (LiteLLM JSON and the registry's TSV) laid over the registry never
 * crash or leak; a file that fails leaves the registry as it was; whatever loads can be found
 * by its names and priced. */
#include "tokscope.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    tok_registry *reg;
    if (tok_registry_open(&reg, NULL) != TOK_OK)
        abort();
    size_t n0 = tok_registry_count(reg);
    tok_error err;
    tok_status st = tok_registry_load_memory(reg, data, size, "fuzz.json", &err);
    if (st != TOK_OK) {
        if (tok_registry_count(reg) != n0 || tok_registry_source_count(reg) != 1 ||
            !err.message[0])
            abort();
    } else {
        for (size_t i = 0; i < tok_registry_count(reg); i++) {
            const tok_model *m = tok_registry_model(reg, i), *f;
            if (tok_model_find(reg, m->id, &f, NULL) != TOK_OK)
                abort(); /* a name may belong to an earlier model, but it must resolve */
            tok_cost_request req = {1000, 10, 10, 100, 1000, false};
            tok_cost c;
            tok_fit fit;
            tok_cost_compute(m, &req, &c, NULL);
            tok_model_fit(m, 1000, 100, &fit);
        }
    }
    tok_registry_close(reg);
    return 0;
}
