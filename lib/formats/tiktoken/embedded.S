/* embedded: links the packed built-in vocabularies into the library. make packs
 * vocabs/NAME.tiktoken into build/vocabs/NAME.bin (gen/pack_vocab.c) and assembles this file
 * with that directory on the include path. Read-only data: the pages are mapped from the file and
 * only the ones a lookup touches are ever read in. */
#define VOCAB(name)                                  \
    .section .rodata.tok_vocab_##name, "a";          \
    .balign 64;                                      \
    .globl tok_blob_##name;                          \
    .hidden tok_blob_##name;                         \
tok_blob_##name:;                                    \
    .incbin VOCAB_FILE_##name;                       \
    .globl tok_blob_##name##_end;                    \
    .hidden tok_blob_##name##_end;                   \
tok_blob_##name##_end:

#define VOCAB_FILE_r50k_base "r50k_base.bin"
#define VOCAB_FILE_p50k_base "p50k_base.bin"
#define VOCAB_FILE_cl100k_base "cl100k_base.bin"
#define VOCAB_FILE_o200k_base "o200k_base.bin"

VOCAB(r50k_base)
VOCAB(p50k_base)
VOCAB(cl100k_base)
VOCAB(o200k_base)

    .section .note.GNU-stack, "", @progbits
