// Counts the matches of literal patterns (one per line) in a corpus with Intel Hyperscan, the
// upper reference of Benchmarks/keywords/run.py. Prints one JSON line.
//
//   cc -O2 -o hyperscan_count hyperscan_count.c -lhs
//   hyperscan_count PATTERNS CORPUS REPEAT
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(2); }
    fseek(file, 0, SEEK_END);
    *length = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc(*length + 1);
    if (fread(data, 1, *length, file) != *length) { perror(path); exit(2); }
    data[*length] = 0;
    fclose(file);
    return data;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *context) {
    (void)id; (void)from; (void)to; (void)flags;
    ++*(unsigned long long *)context;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s PATTERNS CORPUS REPEAT\n", argv[0]); return 2; }
    size_t patterns_length, corpus_length;
    char *patterns = read_file(argv[1], &patterns_length);
    char *corpus = read_file(argv[2], &corpus_length);
    int repeat = atoi(argv[3]);

    size_t count = 0;
    for (size_t i = 0; i < patterns_length; i++) if (patterns[i] == '\n') count++;
    const char **expressions = malloc(count * sizeof *expressions);
    size_t *lengths = malloc(count * sizeof *lengths);
    unsigned int *flags = calloc(count, sizeof *flags);
    unsigned int *ids = malloc(count * sizeof *ids);
    size_t n = 0;
    char *line = patterns;
    for (size_t i = 0; i < patterns_length; i++) {
        if (patterns[i] == '\n') {
            expressions[n] = line;
            lengths[n] = (size_t)(patterns + i - line);
            ids[n] = (unsigned int)n;
            n++;
            line = patterns + i + 1;
        }
    }

    double build_start = now();
    hs_database_t *database = NULL;
    hs_compile_error_t *error = NULL;
    if (hs_compile_lit_multi(expressions, flags, ids, lengths, (unsigned int)n, HS_MODE_BLOCK, NULL, &database, &error) != HS_SUCCESS) {
        fprintf(stderr, "hs_compile_lit_multi: %s\n", error->message);
        return 1;
    }
    double build_seconds = now() - build_start;
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(database, &scratch);
    size_t database_size = 0;
    hs_database_size(database, &database_size);

    double best = 1e9;
    unsigned long long matches = 0;
    for (int r = 0; r < repeat; r++) {
        matches = 0;
        double start = now();
        hs_scan(database, corpus, (unsigned int)corpus_length, 0, scratch, on_match, &matches);
        double seconds = now() - start;
        if (seconds < best) best = seconds;
    }
    printf("{\"build_seconds\": %f, \"matches\": %llu, \"seconds\": %f, \"mb_per_s\": %f, \"database_mib\": %f}\n",
           build_seconds, matches, best, (double)corpus_length / 1e6 / best, (double)database_size / 1048576.0);
    return 0;
}
