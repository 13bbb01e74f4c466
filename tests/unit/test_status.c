/* status names, error details, suggestions */
#include "api/api.h"
#include "runner.h"

TEST(status_names_and_strings_cover_every_status)
{
    CHECK_STR(tok_status_name(TOK_OK), "TOK_OK");
    CHECK_STR(tok_status_name(TOK_EUTF8), "TOK_EUTF8");
    CHECK_STR(tok_status_str(TOK_EUTF8), "invalid UTF-8");
    for (int s = 0; s < TOK_STATUS_COUNT_; s++) {
        CHECK(strncmp(tok_status_name((tok_status)s), "TOK_", 4) == 0);
        CHECK(strcmp(tok_status_str((tok_status)s), "unknown status") != 0);
    }
    CHECK_STR(tok_status_name((tok_status)999), "TOK_UNKNOWN_STATUS");
    CHECK_STR(tok_version(), TOK_VERSION_STRING);
}

TEST(closest_names_suggests_typos_and_prefixes)
{
    const char *names[] = {"gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base",
                           "o200k_base", "o200k_harmony"};
    char buf[256];
    tok_closest_names("cl100k", names, 7, buf, sizeof buf);
    CHECK(strncmp(buf, "cl100k_base", 11) == 0);
    tok_closest_names("o200k_bsae", names, 7, buf, sizeof buf);
    CHECK(strncmp(buf, "o200k_base", 10) == 0);
    tok_closest_names("o200k", names, 7, buf, sizeof buf);
    CHECK(strstr(buf, "o200k_base") && strstr(buf, "o200k_harmony"));
}
