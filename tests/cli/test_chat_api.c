/* The request counter against counts the APIs reported: every request of
 * tests/golden/chat-api/requests.jsonl (45 Chat Completions requests whose usage.prompt_tokens the
 * OpenAI API returned: 36 from hmarr/openai-chat-tokens, 9 from the OpenAI cookbook) and of
 * requests-extra.jsonl (32 more: the cookbook's 2023 run, pamelafox/openai-messages-token-helper's
 * tool and image requests), run as a user runs it: `tokscope chat --json -m MODEL -` with the body
 * on standard input. Its "total" must be the API's count; a difference fails the test and names
 * the case and its source (MANIFEST.md gives the commits and licenses).
 *
 * Eight pamelafox tool requests were measured on a model nobody recorded, in 2024, and are not
 * reproduced (RULES.md 2.8): for them the count must be the rendering's (the value in RULES.md
 * 2.8's table) and must not be called exact. */
#include "cli_helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#define GOLDEN "tests/golden/chat-api/"

/* The line of FILE whose id is ID (parsed), or NULL. */
static cJSON *find_case(const char *file, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, GOLDEN "%s", file);
    size_t len;
    char *text = read_file(path, &len);
    cJSON *found = NULL;
    for (char *line = text, *nl; line && *line && !found; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        cJSON *c = cJSON_ParseWithLength(line, nl ? (size_t)(nl - line) : strlen(line));
        const cJSON *v = cJSON_GetObjectItem(c, "id");
        if (cJSON_IsString(v) && !strcmp(v->valuestring, id))
            found = c;
        else
            cJSON_Delete(c);
    }
    free(text);
    return found;
}

static const char *text_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Run one case. reference: the count the rendering gives where the API's differs (0: the
 * API's count is expected). */
static void check_case(const char *file, const char *id, long reference)
{
    cJSON *c = find_case(file, id);
    if (!c) {
        test_fail(__FILE__, __LINE__, "%s: no case %s", file, id);
        return;
    }
    const cJSON *src = cJSON_GetObjectItem(c, "source");
    char where[512];
    snprintf(where, sizeof where, "%s %s (%s %s %s%s%s)", file, id, text_of(src, "repo"),
             text_of(src, "path"), text_of(src, "test"), text_of(src, "name"),
             text_of(src, "cell"));
    /* the model as measured: resolved_model for an alias of its time, gpt-3.5-turbo (a
     * cl100k_base model, as the reference assumes) where it was not recorded */
    const char *model = text_of(c, "resolved_model");
    if (!*model)
        model = text_of(c, "model");
    if (!*model)
        model = "gpt-3.5-turbo";
    long api = (long)cJSON_GetObjectItem(cJSON_GetObjectItem(c, "usage"), "prompt_tokens")->valuedouble;
    char *body = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "request"));
    cli_result r = RUN_IN(body, "chat", "--json", "-m", model, "-");
    cJSON *j = r.status == 0 ? cJSON_Parse(r.out) : NULL;
    if (!j) {
        test_fail(__FILE__, __LINE__, "%s: tokscope chat exited %d: %s", where, r.status, r.err);
    } else {
        long total = (long)cJSON_GetObjectItem(j, "total")->valuedouble;
        bool exact = cJSON_IsTrue(cJSON_GetObjectItem(j, "exact"));
        const char *note = text_of(j, "note");
        const cJSON *parts = cJSON_GetObjectItem(j, "parts");
        if (!reference && total != api)
            test_fail(__FILE__, __LINE__, "%s: the API counted %ld prompt tokens, tokscope %ld",
                      where, api, total);
        else if (reference && (total != reference || exact))
            test_fail(__FILE__, __LINE__, "%s: the rendering of RULES.md 2.3 gives %ld (the API "
                      "%ld, RULES.md 2.8), tokscope %ld, %s", where, reference, api, total,
                      exact ? "called exact" : "an estimate");
        /* what is measured is labelled exact: message framing, text, the reply priming, and
         * images (no resize in these); an estimate says which rule is not measured */
        static const char *const measured[] = {"framing", "text", "reply", "images", NULL};
        for (const char *const *k = measured; *k; k++) {
            const cJSON *p = cJSON_GetObjectItem(parts, *k);
            if (cJSON_GetObjectItem(p, "items")->valuedouble > 0 &&
                !cJSON_IsTrue(cJSON_GetObjectItem(p, "exact")) && !reference)
                test_fail(__FILE__, __LINE__, "%s: part %s is measured, but labelled an estimate "
                          "(%s)", where, *k, text_of(p, "source"));
        }
        if (!exact && !reference && !strstr(note, "RULES.md 2.8") && !strstr(note, "RULES.md 2.4") &&
            !strstr(note, "no measurement covers"))
            test_fail(__FILE__, __LINE__, "%s: an estimate without a reason: %s", where, note);
    }
    cJSON_Delete(j);
    cli_free(&r);
    free(body);
    cJSON_Delete(c);
}


/* ---- requests.jsonl ---- */

TEST(chat_api_oct_01) { check_case("requests.jsonl", "oct-01", 0); }
TEST(chat_api_oct_02) { check_case("requests.jsonl", "oct-02", 0); }
TEST(chat_api_oct_03) { check_case("requests.jsonl", "oct-03", 0); }
TEST(chat_api_oct_04) { check_case("requests.jsonl", "oct-04", 0); }
TEST(chat_api_oct_05) { check_case("requests.jsonl", "oct-05", 0); }
TEST(chat_api_oct_06) { check_case("requests.jsonl", "oct-06", 0); }
TEST(chat_api_oct_07) { check_case("requests.jsonl", "oct-07", 0); }
TEST(chat_api_oct_08) { check_case("requests.jsonl", "oct-08", 0); }
TEST(chat_api_oct_09) { check_case("requests.jsonl", "oct-09", 0); }
TEST(chat_api_oct_10) { check_case("requests.jsonl", "oct-10", 0); }
TEST(chat_api_oct_11) { check_case("requests.jsonl", "oct-11", 0); }
TEST(chat_api_oct_12) { check_case("requests.jsonl", "oct-12", 0); }
TEST(chat_api_oct_13) { check_case("requests.jsonl", "oct-13", 0); }
TEST(chat_api_oct_14) { check_case("requests.jsonl", "oct-14", 0); }
TEST(chat_api_oct_15) { check_case("requests.jsonl", "oct-15", 0); }
TEST(chat_api_oct_16) { check_case("requests.jsonl", "oct-16", 0); }
TEST(chat_api_oct_17) { check_case("requests.jsonl", "oct-17", 0); }
TEST(chat_api_oct_18) { check_case("requests.jsonl", "oct-18", 0); }
TEST(chat_api_oct_19) { check_case("requests.jsonl", "oct-19", 0); }
TEST(chat_api_oct_20) { check_case("requests.jsonl", "oct-20", 0); }
TEST(chat_api_oct_21) { check_case("requests.jsonl", "oct-21", 0); }
TEST(chat_api_oct_22) { check_case("requests.jsonl", "oct-22", 0); }
TEST(chat_api_oct_23) { check_case("requests.jsonl", "oct-23", 0); }
TEST(chat_api_oct_24) { check_case("requests.jsonl", "oct-24", 0); }
TEST(chat_api_oct_25) { check_case("requests.jsonl", "oct-25", 0); }
TEST(chat_api_oct_26) { check_case("requests.jsonl", "oct-26", 0); }
TEST(chat_api_oct_27) { check_case("requests.jsonl", "oct-27", 0); }
TEST(chat_api_oct_28) { check_case("requests.jsonl", "oct-28", 0); }
TEST(chat_api_oct_29) { check_case("requests.jsonl", "oct-29", 0); }
TEST(chat_api_oct_30) { check_case("requests.jsonl", "oct-30", 0); }
TEST(chat_api_oct_31) { check_case("requests.jsonl", "oct-31", 0); }
TEST(chat_api_oct_32) { check_case("requests.jsonl", "oct-32", 0); }
TEST(chat_api_oct_33) { check_case("requests.jsonl", "oct-33", 0); }
TEST(chat_api_oct_34) { check_case("requests.jsonl", "oct-34", 0); }
TEST(chat_api_oct_35) { check_case("requests.jsonl", "oct-35", 0); }
TEST(chat_api_oct_36) { check_case("requests.jsonl", "oct-36", 0); }
TEST(chat_api_cookbook_messages_gpt_3_5_turbo) { check_case("requests.jsonl", "cookbook-messages-gpt-3.5-turbo", 0); }
TEST(chat_api_cookbook_messages_gpt_4_0613) { check_case("requests.jsonl", "cookbook-messages-gpt-4-0613", 0); }
TEST(chat_api_cookbook_messages_gpt_4) { check_case("requests.jsonl", "cookbook-messages-gpt-4", 0); }
TEST(chat_api_cookbook_messages_gpt_4o) { check_case("requests.jsonl", "cookbook-messages-gpt-4o", 0); }
TEST(chat_api_cookbook_messages_gpt_4o_mini) { check_case("requests.jsonl", "cookbook-messages-gpt-4o-mini", 0); }
TEST(chat_api_cookbook_tools_gpt_3_5_turbo) { check_case("requests.jsonl", "cookbook-tools-gpt-3.5-turbo", 0); }
TEST(chat_api_cookbook_tools_gpt_4) { check_case("requests.jsonl", "cookbook-tools-gpt-4", 0); }
TEST(chat_api_cookbook_tools_gpt_4o) { check_case("requests.jsonl", "cookbook-tools-gpt-4o", 0); }
TEST(chat_api_cookbook_tools_gpt_4o_mini) { check_case("requests.jsonl", "cookbook-tools-gpt-4o-mini", 0); }

/* ---- requests-extra.jsonl ---- */

TEST(chat_api_cookbook2023_messages_gpt_3_5_turbo_0301) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-3.5-turbo-0301", 0); }
TEST(chat_api_cookbook2023_messages_gpt_3_5_turbo_0613) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-3.5-turbo-0613", 0); }
TEST(chat_api_cookbook2023_messages_gpt_3_5_turbo) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-3.5-turbo", 0); }
TEST(chat_api_cookbook2023_messages_gpt_4_0314) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-4-0314", 0); }
TEST(chat_api_cookbook2023_messages_gpt_4_0613) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-4-0613", 0); }
TEST(chat_api_cookbook2023_messages_gpt_4) { check_case("requests-extra.jsonl", "cookbook2023-messages-gpt-4", 0); }
TEST(chat_api_pf_tools_search_sources_toolchoice_auto) { check_case("requests-extra.jsonl", "pf-tools-search_sources_toolchoice_auto", 0); }
TEST(chat_api_pf_tools_search_sources_toolchoice_none) { check_case("requests-extra.jsonl", "pf-tools-search_sources_toolchoice_none", 0); }
TEST(chat_api_pf_tools_search_sources_toolchoice_name) { check_case("requests-extra.jsonl", "pf-tools-search_sources_toolchoice_name", 0); }
TEST(chat_api_pf_tools_integer_enum) { check_case("requests-extra.jsonl", "pf-tools-integer_enum", 55); }
TEST(chat_api_pf_tools_integer_enum_tool_choice_name) { check_case("requests-extra.jsonl", "pf-tools-integer_enum_tool_choice_name", 65); }
TEST(chat_api_pf_tools_no_parameters) { check_case("requests-extra.jsonl", "pf-tools-no_parameters", 0); }
TEST(chat_api_pf_tools_no_parameters_tool_choice_name) { check_case("requests-extra.jsonl", "pf-tools-no_parameters_tool_choice_name", 0); }
TEST(chat_api_pf_tools_no_parameter_description_or_required) { check_case("requests-extra.jsonl", "pf-tools-no_parameter_description_or_required", 50); }
TEST(chat_api_pf_tools_no_parameter_description) { check_case("requests-extra.jsonl", "pf-tools-no_parameter_description", 50); }
TEST(chat_api_pf_tools_string_enum) { check_case("requests-extra.jsonl", "pf-tools-string_enum", 0); }
TEST(chat_api_pf_tools_inner_object) { check_case("requests-extra.jsonl", "pf-tools-inner_object", 67); }
TEST(chat_api_pf_tools_inner_object_with_enum_only) { check_case("requests-extra.jsonl", "pf-tools-inner_object_with_enum_only", 74); }
TEST(chat_api_pf_tools_inner_object_with_enum) { check_case("requests-extra.jsonl", "pf-tools-inner_object_with_enum", 82); }
TEST(chat_api_pf_tools_inner_object_and_string) { check_case("requests-extra.jsonl", "pf-tools-inner_object_and_string", 96); }
TEST(chat_api_pf_tools_boolean) { check_case("requests-extra.jsonl", "pf-tools-boolean", 0); }
TEST(chat_api_pf_tools_array) { check_case("requests-extra.jsonl", "pf-tools-array", 0); }
TEST(chat_api_pf_tools_null) { check_case("requests-extra.jsonl", "pf-tools-null", 0); }
TEST(chat_api_pf_tools_no_type) { check_case("requests-extra.jsonl", "pf-tools-no_type", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_gpt_4o) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message-gpt-4o", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_gpt_4o_mini) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message-gpt-4o-mini", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_nodetail_gpt_4o) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message_nodetail-gpt-4o", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_nodetail_gpt_4o_mini) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message_nodetail-gpt-4o-mini", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_low_gpt_4o) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message_low-gpt-4o", 0); }
TEST(chat_api_pf_image_text_and_tiny_image_message_low_gpt_4o_mini) { check_case("requests-extra.jsonl", "pf-image-text_and_tiny_image_message_low-gpt-4o-mini", 0); }
TEST(chat_api_pf_image_text_and_large_image_message_gpt_4o) { check_case("requests-extra.jsonl", "pf-image-text_and_large_image_message-gpt-4o", 0); }
TEST(chat_api_pf_image_text_and_large_image_message_gpt_4o_mini) { check_case("requests-extra.jsonl", "pf-image-text_and_large_image_message-gpt-4o-mini", 0); }

/* Every case of both files has its test above: a case added to a file without one fails here. */
TEST(chat_api_every_case_has_a_test)
{
    static const char *const known[] = {

        "oct-01", "oct-02", "oct-03",
        "oct-04", "oct-05", "oct-06",
        "oct-07", "oct-08", "oct-09",
        "oct-10", "oct-11", "oct-12",
        "oct-13", "oct-14", "oct-15",
        "oct-16", "oct-17", "oct-18",
        "oct-19", "oct-20", "oct-21",
        "oct-22", "oct-23", "oct-24",
        "oct-25", "oct-26", "oct-27",
        "oct-28", "oct-29", "oct-30",
        "oct-31", "oct-32", "oct-33",
        "oct-34", "oct-35", "oct-36",
        "cookbook-messages-gpt-3.5-turbo", "cookbook-messages-gpt-4-0613", "cookbook-messages-gpt-4",
        "cookbook-messages-gpt-4o", "cookbook-messages-gpt-4o-mini", "cookbook-tools-gpt-3.5-turbo",
        "cookbook-tools-gpt-4", "cookbook-tools-gpt-4o", "cookbook-tools-gpt-4o-mini",
        "cookbook2023-messages-gpt-3.5-turbo-0301", "cookbook2023-messages-gpt-3.5-turbo-0613", "cookbook2023-messages-gpt-3.5-turbo",
        "cookbook2023-messages-gpt-4-0314", "cookbook2023-messages-gpt-4-0613", "cookbook2023-messages-gpt-4",
        "pf-tools-search_sources_toolchoice_auto", "pf-tools-search_sources_toolchoice_none", "pf-tools-search_sources_toolchoice_name",
        "pf-tools-integer_enum", "pf-tools-integer_enum_tool_choice_name", "pf-tools-no_parameters",
        "pf-tools-no_parameters_tool_choice_name", "pf-tools-no_parameter_description_or_required", "pf-tools-no_parameter_description",
        "pf-tools-string_enum", "pf-tools-inner_object", "pf-tools-inner_object_with_enum_only",
        "pf-tools-inner_object_with_enum", "pf-tools-inner_object_and_string", "pf-tools-boolean",
        "pf-tools-array", "pf-tools-null", "pf-tools-no_type",
        "pf-image-text_and_tiny_image_message-gpt-4o", "pf-image-text_and_tiny_image_message-gpt-4o-mini", "pf-image-text_and_tiny_image_message_nodetail-gpt-4o",
        "pf-image-text_and_tiny_image_message_nodetail-gpt-4o-mini", "pf-image-text_and_tiny_image_message_low-gpt-4o", "pf-image-text_and_tiny_image_message_low-gpt-4o-mini",
        "pf-image-text_and_large_image_message-gpt-4o", "pf-image-text_and_large_image_message-gpt-4o-mini",
    };
    size_t n_known = sizeof known / sizeof known[0], seen = 0;
    const char *files[] = {GOLDEN "requests.jsonl", GOLDEN "requests-extra.jsonl"};
    size_t want[] = {45, 32};
    for (int f = 0; f < 2; f++) {
        size_t len, lines = 0;
        char *text = read_file(files[f], &len);
        CHECK_MSG(text, "%s cannot be read", files[f]);
        for (char *line = text, *nl; *line; line = nl + 1) {
            nl = strchr(line, '\n');
            CHECK_MSG(nl, "%s: the last line has no newline", files[f]);
            cJSON *c = cJSON_ParseWithLength(line, (size_t)(nl - line));
            const char *id = text_of(c, "id");
            bool found = false;
            for (size_t k = 0; k < n_known && !found; k++)
                found = !strcmp(known[k], id);
            if (!found)
                test_fail(__FILE__, __LINE__, "%s: case %s has no test", files[f], id);
            seen += found;
            lines++;
            cJSON_Delete(c);
        }
        free(text);
        CHECK_MSG(lines == want[f], "%s: %zu cases, expected %zu", files[f], lines, want[f]);
    }
    CHECK_EQ(seen, n_known);
}
