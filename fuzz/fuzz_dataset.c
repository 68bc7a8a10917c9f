/* fuzz_dataset: the dataset reader (lib/dataset.c) on arbitrary bytes.
 *
 * The bytes are opened as a dataset file; when dataset_load accepts them,
 * every column of every block is read back with dataset_read_chunk, and the
 * dataset is exported as CSV (ingest/export.c, which also parses the schema
 * embedded in it).  Nothing may crash, leak or hang; a refusal must come with
 * a message, and an export must fail exactly when a chunk cannot be read.
 *
 * Checksums guard nearly every byte of a dataset, so a mutated file would
 * almost never get past them.  Each input is therefore tried twice: as
 * given, and with its checksums recomputed (schema text, metadata, then
 * every chunk) so that the decoders behind them see the mutation too. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dataset.h"
#include "harness.h"
#include "ingest.h"

#define HEADER_SIZE 16 /* docs/dataset-format.md */
#define TRAILER_SIZE 24
#define CHUNK_ENTRY_SIZE 20 /* offset u64, comp_len, raw_len, crc32 */

static struct harness_file file;

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Load the file, read it whole and export it; returns the dataset (caller
 * closes) or NULL when it was refused. */
static struct dataset *check_file(void)
{
    struct buf err;
    buf_init(&err);
    enum ds_open_error why = 0;
    struct dataset *ds = dataset_load(file.path, &err, &why);
    if (!ds) {
        if (why != DS_OPEN_EFORMAT || !err.len ||
            strncmp(err.data, file.path, strlen(file.path)) != 0)
            harness_fail("refused (reason %d) without a proper message: '%s'", (int)why,
                         err.data ? err.data : "");
        buf_release(&err);
        return NULL;
    }
    buf_release(&err);
    uint64_t rows = 0;
    for (size_t b = 0; b < ds->n_blocks; b++)
        rows += ds->blocks[b].n_rows;
    if (rows != ds->total_rows || ds->n_columns == 0)
        harness_fail("loaded with %llu rows in blocks, %llu in total, %zu columns",
                     (unsigned long long)rows, (unsigned long long)ds->total_rows, ds->n_columns);
    size_t failed = harness_read_dataset(ds);
    int status = export_run(file.path, "/dev/null");
    if (status != 0 && status != 1)
        harness_fail("export of a readable file exited %d", status);
    if (failed && status == 0)
        harness_fail("export succeeded although %zu chunks cannot be read", failed);
    return ds;
}

/* Recompute the checksum of the embedded schema text and of the metadata
 * when the trailer and the start of the metadata can be followed.  Returns
 * the metadata offset, or 0 when the trailer cannot be followed. */
static uint64_t fix_metadata(unsigned char *d, size_t size)
{
    if (size < HEADER_SIZE + TRAILER_SIZE)
        return 0;
    unsigned char *trailer = d + size - TRAILER_SIZE;
    uint64_t meta_offset = get_le64(trailer);
    uint64_t meta_len = get_le32(trailer + 8);
    if (meta_offset < HEADER_SIZE || meta_offset > size - TRAILER_SIZE ||
        meta_len != size - TRAILER_SIZE - meta_offset)
        return 0;
    unsigned char *meta = d + meta_offset;
    /* version, kind, schema checksum, name (u32 length + bytes), schema text */
    if (meta_len >= 16) {
        uint64_t name_len = get_le32(meta + 12);
        if (16 + name_len + 4 <= meta_len) {
            uint64_t text_len = get_le32(meta + 16 + name_len);
            const unsigned char *text = meta + 16 + name_len + 4;
            if (20 + name_len + text_len <= meta_len && !memchr(text, '\0', text_len))
                put_le32(meta + 8, (uint32_t)crc32(0L, text, (uInt)text_len));
        }
    }
    put_le32(trailer + 12, (uint32_t)crc32(0L, meta, (uInt)meta_len));
    return meta_offset;
}

/* The chunk directory closes the metadata: 4 bytes of block count, then per
 * block its row count and one entry per column.  ds (loaded from d) tells
 * its size; each chunk's CRC is recomputed from the bytes it points at. */
static void fix_chunks(unsigned char *d, size_t size, const struct dataset *ds)
{
    uint64_t meta_offset = fix_metadata(d, size);
    if (!meta_offset)
        harness_fail("a dataset loaded although its trailer cannot be followed");
    size_t dir_len = 4 + ds->n_blocks * (4 + ds->n_columns * CHUNK_ENTRY_SIZE);
    size_t meta_end = size - TRAILER_SIZE;
    if (dir_len > meta_end - meta_offset)
        harness_fail("chunk directory of %zu bytes does not fit the metadata", dir_len);
    unsigned char *entry = d + meta_end - dir_len + 4;
    for (size_t b = 0; b < ds->n_blocks; b++) {
        entry += 4;
        for (size_t c = 0; c < ds->n_columns; c++, entry += CHUNK_ENTRY_SIZE) {
            const struct ds_chunk *ch = &ds->blocks[b].chunks[c];
            if (ch->offset > size || ch->comp_len > size - ch->offset)
                harness_fail("chunk %zu/%zu lies outside the file", b, c);
            put_le32(entry + 16, (uint32_t)crc32(0L, d + ch->offset, ch->comp_len));
        }
    }
    fix_metadata(d, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!file.path[0])
        harness_file_open(&file, "dataset");
    harness_file_set(&file, data, size);
    struct dataset *ds = check_file();

    unsigned char *fixed = xmalloc(size);
    memcpy(fixed, data, size);
    if (fix_metadata(fixed, size) && memcmp(fixed, data, size) != 0) {
        dataset_close(ds);
        harness_file_set(&file, fixed, size);
        ds = check_file();
    }
    if (ds) {
        unsigned char *before = xmalloc(size);
        memcpy(before, fixed, size);
        fix_chunks(fixed, size, ds);
        if (memcmp(before, fixed, size) != 0) {
            harness_file_set(&file, fixed, size);
            dataset_close(check_file());
        }
        free(before);
    }
    dataset_close(ds);
    free(fixed);
    return 0;
}
