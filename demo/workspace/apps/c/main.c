// A small C app for the demo workspace: a word-frequency count over a built-in text, with a hash table
// and an insertion sort. Built with clang for wasm32-wasi with DWARF (-g), so coverage and heat map to
// these lines.
#include <stdio.h>
#include <string.h>

#define SLOTS 256

static const char *TEXT =
    "the quick brown fox jumps over the lazy dog the dog sleeps and the fox runs "
    "a fox is quick a dog is lazy the end of the story is near for the fox and the dog";

struct entry { char word[16]; int count; };
static struct entry table[SLOTS];

static unsigned hash(const char *s, int n) {
    unsigned h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

static void add(const char *s, int n) {
    unsigned i = hash(s, n) % SLOTS;
    while (table[i].count != 0 && (strlen(table[i].word) != (size_t)n || strncmp(table[i].word, s, n) != 0)) {
        i = (i + 1) % SLOTS;
    }
    if (table[i].count == 0) {
        memcpy(table[i].word, s, n);
        table[i].word[n] = 0;
    }
    table[i].count++;
}

int main(void) {
    const char *p = TEXT;
    while (*p) {
        const char *start = p;
        while (*p && *p != ' ') p++;
        if (p > start && p - start < 16) add(start, (int)(p - start));
        while (*p == ' ') p++;
    }
    struct entry top[SLOTS];
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
        if (table[i].count == 0) continue;
        int j = n++;
        while (j > 0 && top[j - 1].count < table[i].count) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = table[i];
    }
    for (int i = 0; i < 5 && i < n; i++) {
        printf("%-6s %d\n", top[i].word, top[i].count);
    }
    return 0;
}
