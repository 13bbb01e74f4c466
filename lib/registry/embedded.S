/* embedded: the model registry (vocabs/models.tsv, found through -Wa,-I,vocabs), linked into the
 * library as text for registry.c. A NUL follows it so the parser may treat it as a C string. */
    .section .rodata.tok_models, "a";
    .globl tok_models_tsv;
    .hidden tok_models_tsv;
tok_models_tsv:;
    .incbin "models.tsv";
    .globl tok_models_tsv_end;
    .hidden tok_models_tsv_end;
tok_models_tsv_end:;
    .byte 0


    .section .note.GNU-stack, "", @progbits
