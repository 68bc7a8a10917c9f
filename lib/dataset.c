#include "dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char header_magic[8] = {'C', 'A', 'N', 'D', 'O', 'U', 'R', 0x1a};
static const unsigned char trailer_magic[8] = {'C', 'N', 'D', 'R', 'E', 'N', 'D', 0x1a};
#define HEADER_SIZE 16
#define TRAILER_SIZE 24
#define META_MAX (256u << 20)

size_t ds_type_size(uint8_t type)
{
    switch (type) {
    case DS_U8:
        return 1;
    case DS_STR:
        return 4;
    case DS_I64:
    case DS_F64:
        return 8;
    }
    return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* ---- writer ------------------------------------------------------------ */

static bool write_bytes(struct dataset_writer *w, const void *data, size_t len, struct buf *err)
{
    if (w->failed)
        return false;
    if (len && fwrite(data, 1, len, w->out.fp) != len) {
        buf_printf(err, "%s: write failed: %s", w->out.final_path, strerror(errno));
        w->failed = true;
        return false;
    }
    w->offset += len;
    return true;
}

bool dataset_writer_open(struct dataset_writer *w, const char *path, uint32_t kind,
                         uint32_t schema_checksum, const char *schema_name, const char *schema_text,
                         struct buf *err)
{
    memset(w, 0, sizeof(*w));
    if (!atomic_open(&w->out, path, 0644, err))
        return false;
    w->kind = kind;
    w->schema_checksum = schema_checksum;
    w->schema_name = xstrdup(schema_name);
    w->schema_text = xstrdup(schema_text);
    unsigned char header[HEADER_SIZE];
    memcpy(header, header_magic, 8);
    put_le32(header + 8, DATASET_FORMAT_VERSION);
    put_le32(header + 12, 0);
    if (!write_bytes(w, header, sizeof(header), err)) {
        dataset_writer_abort(w);
        return false;
    }
    return true;
}

size_t dataset_writer_add_column(struct dataset_writer *w, const char *name, uint8_t role,
                                 uint8_t type)
{
    w->columns = xrealloc(w->columns, (w->n_columns + 1) * sizeof(*w->columns));
    w->pending = xrealloc(w->pending, (w->n_columns + 1) * sizeof(*w->pending));
    struct ds_column *c = &w->columns[w->n_columns];
    memset(c, 0, sizeof(*c));
    c->name = xstrdup(name);
    c->role = role;
    c->type = type;
    strdict_init(&c->dict);
    if (type == DS_STR)
        strdict_intern(&c->dict, "", 0); /* code 0: missing */
    buf_init(&w->pending[w->n_columns]);
    return w->n_columns++;
}

void dataset_writer_add_input(struct dataset_writer *w, const struct ds_input *input)
{
    w->inputs = xrealloc(w->inputs, (w->n_inputs + 1) * sizeof(*w->inputs));
    w->inputs[w->n_inputs] = *input;
    w->inputs[w->n_inputs].name = xstrdup(input->name);
    w->n_inputs++;
}

void dataset_writer_add_rejected(struct dataset_writer *w, const char *period, const char *org)
{
    char *key = xasprintf("%zu\x1f%s\x1f%s", w->n_inputs, period, org);
    size_t before = w->rejected_keys.count;
    uint32_t k = strdict_intern(&w->rejected_keys, key, strlen(key));
    free(key);
    if (k == before) {
        xgrow(&w->rejected, &w->rejected_cap, k + 1, sizeof(*w->rejected));
        w->rejected[k] =
            (struct ds_rejected){(uint32_t)w->n_inputs, xstrdup(period), xstrdup(org), 0};
        w->n_rejected = k + 1;
    }
    w->rejected[k].rows++;
}

/* Append raw bytes to a column's pending block: the hot path of ingest, so
 * the buffer is sized for a whole block once and no terminator is kept. */
static inline void put_bytes(struct dataset_writer *w, size_t col, const void *v, size_t len)
{
    struct buf *b = &w->pending[col];
    if (b->len + len > b->cap)
        xgrow(&b->data, &b->cap,
              b->len + len > DATASET_BLOCK_ROWS * len ? b->len + len : DATASET_BLOCK_ROWS * len, 1);
    memcpy(b->data + b->len, v, len);
    b->len += len;
}

void dw_put_u8_grow(struct dataset_writer *w, size_t col, uint8_t v)
{
    put_bytes(w, col, &v, 1);
}

void dw_put_str(struct dataset_writer *w, size_t col, const char *s, size_t len)
{
    /* Rows come in runs of one period, org, directorate...: check the
     * previous value before hashing. */
    struct ds_column *c = &w->columns[col];
    uint32_t code;
    if (c->last_len == len && memcmp(c->dict.strings[c->last_code], s, len) == 0) {
        code = c->last_code;
    } else {
        code = c->last_code = strdict_intern(&c->dict, s, len);
        c->last_len = len;
    }
    unsigned char le[4];
    put_le32(le, code);
    put_bytes(w, col, le, 4);
}

uint32_t dw_intern_str(struct dataset_writer *w, size_t col, const char *s, size_t len)
{
    return strdict_intern(&w->columns[col].dict, s, len);
}

void dw_put_code(struct dataset_writer *w, size_t col, uint32_t code)
{
    unsigned char le[4];
    put_le32(le, code);
    put_bytes(w, col, le, 4);
}

void dw_put_i64(struct dataset_writer *w, size_t col, int64_t v)
{
    unsigned char le[8];
    put_le64(le, (uint64_t)v);
    put_bytes(w, col, le, 8);
}

void dw_put_f64(struct dataset_writer *w, size_t col, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    unsigned char le[8];
    put_le64(le, bits);
    put_bytes(w, col, le, 8);
}

/* Chunks are zlib streams (RFC 1950) made and read whole by libdeflate,
 * which does both about twice as fast as zlib's streaming code (and its
 * CRC-32 three times as fast): on a national year the flushing thread's
 * deflate and the reading thread's CRC-32 were 15% of candour-ingest's
 * CPU.  Level 1: answer columns (a byte per row, a handful of values) gain
 * little from harder matching; string-code columns run long.  The price: a
 * national year's dataset is 29.3 MB where zlib, Huffman-coding answers
 * only, made 24.3 MB (libdeflate's level 3: 26.0 MB, 0.2 s slower).
 * Not ISA-L (lib/packer.h), though its level 1 deflates these chunks in
 * half the time: the same rows then did not always make the same bytes
 * (its matches depend on where its state lies in memory; the fuzz
 * harness's run 2 wrote another dataset than run 1, 1 time in 5-100 under
 * load), and a dataset's checksum should name its content. */
#define CHUNK_LEVEL 1

/* Compress and write the block whose values are in cols (n_rows rows). */
static bool write_block(struct dataset_writer *w, struct buf *cols, uint32_t n_rows,
                        struct buf *err)
{
    xgrow(&w->blocks, &w->blocks_cap, w->n_blocks + 1, sizeof(*w->blocks));
    struct ds_block *b = &w->blocks[w->n_blocks++];
    b->n_rows = n_rows;
    b->chunks = xcalloc(w->n_columns, sizeof(*b->chunks));
    if (!w->compressor && !(w->compressor = libdeflate_alloc_compressor(CHUNK_LEVEL))) {
        buf_printf(err, "%s: out of memory for compression", w->out.final_path);
        w->failed = true;
        return false;
    }
    for (size_t c = 0; c < w->n_columns; c++) {
        struct buf *raw = &cols[c];
        size_t bound = libdeflate_zlib_compress_bound(w->compressor, raw->len);
        xgrow(&w->zbuf, &w->zbuf_cap, bound, 1);
        size_t comp_len = libdeflate_zlib_compress(w->compressor, raw->data ? raw->data : "",
                                                   raw->len, w->zbuf, bound);
        if (comp_len == 0) { /* cannot happen with the bound's room */
            buf_printf(err, "%s: compression failed", w->out.final_path);
            w->failed = true;
            return false;
        }
        b->chunks[c] = (struct ds_chunk){
            .offset = w->offset,
            .comp_len = (uint32_t)comp_len,
            .raw_len = (uint32_t)raw->len,
            .crc32 = (uint32_t)libdeflate_crc32(0, w->zbuf, comp_len),
        };
        if (!write_bytes(w, w->zbuf, comp_len, err))
            return false;
        buf_clear(raw);
    }
    return true;
}

static void *flush_thread(void *arg)
{
    struct dataset_writer *w = arg;
    w->flush_ok = write_block(w, w->spare, w->flush_rows, &w->flush_err);
    return NULL;
}

/* Wait for the block in flight; false (its error in err) when it failed. */
static bool flush_wait(struct dataset_writer *w, struct buf *err)
{
    if (!w->flushing)
        return !w->failed;
    if (w->flush_threaded)
        pthread_join(w->flusher, NULL);
    w->flushing = false;
    if (!w->flush_ok && w->flush_err.len)
        buf_printf(err, "%s", w->flush_err.data);
    buf_clear(&w->flush_err);
    return w->flush_ok;
}

/* Hand the pending block to the flushing thread (after the previous one is
 * done); the caller goes on filling the other set of buffers.  Until the
 * next flush_wait only that thread touches the file, the blocks and the
 * offset. */
static bool flush_block(struct dataset_writer *w, struct buf *err)
{
    if (!flush_wait(w, err))
        return false;
    if (w->pending_rows == 0)
        return true;
    if (!w->spare) {
        w->spare = xcalloc(w->n_columns ? w->n_columns : 1, sizeof(*w->spare));
        for (size_t c = 0; c < w->n_columns; c++)
            buf_init(&w->spare[c]);
    }
    struct buf *full = w->pending;
    w->pending = w->spare;
    w->spare = full;
    w->flush_rows = w->pending_rows;
    w->total_rows += w->pending_rows;
    w->pending_rows = 0;
    w->flushing = true;
    w->flush_threaded = pthread_create(&w->flusher, NULL, flush_thread, w) == 0;
    if (!w->flush_threaded)
        flush_thread(w);
    return true;
}

bool dataset_writer_end_row(struct dataset_writer *w, struct buf *err)
{
    if (++w->pending_rows == DATASET_BLOCK_ROWS)
        return flush_block(w, err);
    return true; /* a failed write shows at the next block or at the end */
}

static void encode_metadata(const struct dataset_writer *w, struct buf *m)
{
    buf_put_u32(m, DATASET_FORMAT_VERSION);
    buf_put_u32(m, w->kind);
    buf_put_u32(m, w->schema_checksum);
    buf_put_str(m, w->schema_name);
    buf_put_str(m, w->schema_text);
    buf_put_str(m, "candour-ingest " CANDOUR_VERSION);
    buf_put_u64(m, w->total_rows);
    buf_put_u32(m, (uint32_t)w->n_inputs);
    for (size_t i = 0; i < w->n_inputs; i++) {
        const struct ds_input *in = &w->inputs[i];
        buf_put_str(m, in->name);
        buf_put_u64(m, in->size);
        buf_put_u32(m, in->crc32);
        buf_put_u64(m, in->rows_read);
        buf_put_u64(m, in->rows_accepted);
    }
    buf_put_u32(m, (uint32_t)w->n_columns);
    for (size_t c = 0; c < w->n_columns; c++) {
        const struct ds_column *col = &w->columns[c];
        buf_put_str(m, col->name);
        buf_append(m, &col->role, 1);
        buf_append(m, &col->type, 1);
        buf_put_u32(m, (uint32_t)col->dict.count);
        for (size_t k = 0; k < col->dict.count; k++)
            buf_put_str(m, col->dict.strings[k]);
    }
    buf_put_u32(m, (uint32_t)w->n_blocks);
    for (size_t b = 0; b < w->n_blocks; b++) {
        buf_put_u32(m, w->blocks[b].n_rows);
        for (size_t c = 0; c < w->n_columns; c++) {
            const struct ds_chunk *ch = &w->blocks[b].chunks[c];
            buf_put_u64(m, ch->offset);
            buf_put_u32(m, ch->comp_len);
            buf_put_u32(m, ch->raw_len);
            buf_put_u32(m, ch->crc32);
        }
    }
    /* version 2 */
    buf_put_u32(m, (uint32_t)w->n_rejected);
    for (size_t i = 0; i < w->n_rejected; i++) {
        const struct ds_rejected *r = &w->rejected[i];
        buf_put_u32(m, r->input);
        buf_put_str(m, r->period);
        buf_put_str(m, r->org);
        buf_put_u64(m, r->rows);
    }
}

static void rejected_free(struct ds_rejected *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].period);
        free(r[i].org);
    }
    free(r);
}

static void writer_free(struct dataset_writer *w)
{
    struct buf ignored;
    buf_init(&ignored);
    flush_wait(w, &ignored);
    buf_release(&ignored);
    buf_release(&w->flush_err);
    for (size_t c = 0; c < w->n_columns; c++) {
        free(w->columns[c].name);
        strdict_release(&w->columns[c].dict);
        buf_release(&w->pending[c]);
        if (w->spare)
            buf_release(&w->spare[c]);
    }
    free(w->spare);
    free(w->columns);
    free(w->pending);
    for (size_t b = 0; b < w->n_blocks; b++)
        free(w->blocks[b].chunks);
    free(w->blocks);
    for (size_t i = 0; i < w->n_inputs; i++)
        free(w->inputs[i].name);
    free(w->inputs);
    rejected_free(w->rejected, w->n_rejected);
    strdict_release(&w->rejected_keys);
    free(w->zbuf);
    libdeflate_free_compressor(w->compressor);
    free(w->schema_name);
    free(w->schema_text);
    memset(w, 0, sizeof(*w));
}

bool dataset_writer_finish(struct dataset_writer *w, struct buf *err)
{
    return dataset_writer_finish_with(w, NULL, 0, err);
}

char *dataset_journal_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        return xasprintf("%.*s/.%s.replacing", (int)(slash - path), path, slash + 1);
    return xasprintf(".%s.replacing", path);
}

bool dataset_writer_finish_with(struct dataset_writer *w, struct atomic_file *const *also,
                                size_t n_also, struct buf *err)
{
    bool ok = flush_block(w, err) && flush_wait(w, err);
    struct buf meta;
    buf_init(&meta);
    if (ok) {
        encode_metadata(w, &meta);
        unsigned char trailer[TRAILER_SIZE];
        put_le64(trailer, w->offset);
        put_le32(trailer + 8, (uint32_t)meta.len);
        put_le32(trailer + 12, (uint32_t)libdeflate_crc32(0, meta.data, meta.len));
        memcpy(trailer + 16, trailer_magic, 8);
        ok = write_bytes(w, meta.data, meta.len, err) && write_bytes(w, trailer, TRAILER_SIZE, err);
    }
    buf_release(&meta);
    if (ok) {
        struct atomic_file **files = xcalloc(n_also + 1, sizeof(*files));
        files[0] = &w->out;
        for (size_t i = 0; i < n_also; i++)
            files[i + 1] = also[i];
        /* a set of files gets a journal, so that a kill between their
         * renames cannot pass for a matching pair */
        char *journal = n_also && w->out.temp_path ? dataset_journal_path(w->out.final_path) : NULL;
        ok = atomic_commit_all(files, n_also + 1, journal, err);
        free(journal);
        free(files);
    } else {
        atomic_abort(&w->out);
        for (size_t i = 0; i < n_also; i++)
            atomic_abort(also[i]);
    }
    writer_free(w);
    return ok;
}

void dataset_writer_abort(struct dataset_writer *w)
{
    struct buf ignored;
    buf_init(&ignored);
    flush_wait(w, &ignored); /* the thread may still be writing the file */
    buf_release(&ignored);
    atomic_abort(&w->out);
    writer_free(w);
}

/* ---- reader ------------------------------------------------------------ */

/* Bounds-checked cursor over the metadata. */
struct cursor {
    const unsigned char *p;
    size_t left;
    bool bad;
};

static const unsigned char *take(struct cursor *c, size_t n)
{
    if (c->bad || n > c->left) {
        c->bad = true;
        return NULL;
    }
    const unsigned char *p = c->p;
    c->p += n;
    c->left -= n;
    return p;
}

static uint32_t take_u32(struct cursor *c)
{
    const unsigned char *p = take(c, 4);
    return p ? get_le32(p) : 0;
}

static uint64_t take_u64(struct cursor *c)
{
    const unsigned char *p = take(c, 8);
    return p ? get_le64(p) : 0;
}

static uint8_t take_u8(struct cursor *c)
{
    const unsigned char *p = take(c, 1);
    return p ? *p : 0;
}

static char *take_str(struct cursor *c)
{
    uint32_t len = take_u32(c);
    const unsigned char *p = take(c, len);
    if (!p || memchr(p, '\0', len))
        c->bad = true;
    return c->bad ? NULL : xstrndup((const char *)p, len);
}

static bool read_exact(int fd, void *buf, size_t len, uint64_t offset)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return true;
}

static bool decode_columns(struct dataset *ds, struct cursor *c)
{
    uint32_t n = take_u32(c);
    if (c->bad || n == 0 || n > DATASET_MAX_COLUMNS)
        return false;
    ds->columns = xcalloc(n, sizeof(*ds->columns));
    for (uint32_t i = 0; i < n && !c->bad; i++) {
        struct ds_column *col = &ds->columns[ds->n_columns++];
        strdict_init(&col->dict);
        col->name = take_str(c);
        col->role = take_u8(c);
        col->type = take_u8(c);
        if (ds_type_size(col->type) == 0)
            return false;
        uint32_t n_strings = take_u32(c);
        if (n_strings > c->left / 4 || (col->type == DS_STR) != (n_strings > 0))
            return false;
        for (uint32_t k = 0; k < n_strings && !c->bad; k++) {
            char *s = take_str(c);
            if (!s)
                return false;
            size_t before = col->dict.count;
            strdict_intern(&col->dict, s, strlen(s));
            free(s);
            if (col->dict.count != before + 1)
                return false; /* duplicate dictionary entry */
        }
    }
    return !c->bad;
}

static bool decode_blocks(struct dataset *ds, struct cursor *c, uint64_t data_end)
{
    uint32_t n = take_u32(c);
    if (c->bad || n > c->left / 4)
        return false;
    ds->blocks = xcalloc(n ? n : 1, sizeof(*ds->blocks));
    uint64_t rows = 0;
    for (uint32_t b = 0; b < n && !c->bad; b++) {
        struct ds_block *blk = &ds->blocks[ds->n_blocks++];
        blk->n_rows = take_u32(c);
        if (blk->n_rows == 0 || blk->n_rows > DATASET_BLOCK_ROWS)
            return false;
        rows += blk->n_rows;
        blk->chunks = xcalloc(ds->n_columns, sizeof(*blk->chunks));
        for (size_t col = 0; col < ds->n_columns; col++) {
            struct ds_chunk *ch = &blk->chunks[col];
            ch->offset = take_u64(c);
            ch->comp_len = take_u32(c);
            ch->raw_len = take_u32(c);
            ch->crc32 = take_u32(c);
            if (ch->offset < HEADER_SIZE || ch->offset > data_end ||
                ch->comp_len > data_end - ch->offset ||
                ch->raw_len != blk->n_rows * ds_type_size(ds->columns[col].type))
                return false;
        }
    }
    return !c->bad && rows == ds->total_rows;
}

/* Version 2: the rejected rows of aggregated inputs.  Each names an input
 * of the dataset, and each input's records add up to the rows it did not
 * accept (respondent inputs record none). */
static bool decode_rejected(struct dataset *ds, struct cursor *c)
{
    uint32_t n = take_u32(c);
    if (c->bad || n > c->left / 20)
        return false;
    ds->rejected = xcalloc(n ? n : 1, sizeof(*ds->rejected));
    uint64_t *rows = xcalloc(ds->n_inputs ? ds->n_inputs : 1, sizeof(uint64_t));
    bool ok = true;
    for (uint32_t i = 0; i < n && ok && !c->bad; i++) {
        struct ds_rejected *r = &ds->rejected[ds->n_rejected++];
        r->input = take_u32(c);
        r->period = take_str(c);
        r->org = take_str(c);
        r->rows = take_u64(c);
        ok = !c->bad && r->input < ds->n_inputs && r->rows > 0 &&
             r->rows <= ds->inputs[r->input].rows_read - rows[r->input];
        if (ok)
            rows[r->input] += r->rows;
    }
    for (size_t i = 0; ok && n && i < ds->n_inputs; i++)
        ok = rows[i] == ds->inputs[i].rows_read - ds->inputs[i].rows_accepted;
    free(rows);
    return ok && !c->bad;
}

static bool decode_metadata(struct dataset *ds, const unsigned char *meta, size_t len,
                            uint64_t data_end, uint32_t header_version)
{
    struct cursor c = {meta, len, false};
    ds->format_version = take_u32(&c);
    ds->kind = take_u32(&c);
    ds->schema_checksum = take_u32(&c);
    ds->schema_name = take_str(&c);
    ds->schema_text = take_str(&c);
    ds->created_by = take_str(&c);
    ds->total_rows = take_u64(&c);
    uint32_t n_inputs = take_u32(&c);
    if (c.bad || ds->format_version != header_version || ds->kind > 3 || n_inputs > c.left / 4)
        return false;
    if (libdeflate_crc32(0, ds->schema_text, strlen(ds->schema_text)) != ds->schema_checksum)
        return false;
    ds->inputs = xcalloc(n_inputs ? n_inputs : 1, sizeof(*ds->inputs));
    for (uint32_t i = 0; i < n_inputs && !c.bad; i++) {
        struct ds_input *in = &ds->inputs[ds->n_inputs++];
        in->name = take_str(&c);
        in->size = take_u64(&c);
        in->crc32 = take_u32(&c);
        in->rows_read = take_u64(&c);
        in->rows_accepted = take_u64(&c);
        if (in->rows_accepted > in->rows_read)
            c.bad = true;
    }
    return !c.bad && decode_columns(ds, &c) && decode_blocks(ds, &c, data_end) &&
           (header_version < 2 || decode_rejected(ds, &c)) && c.left == 0;
}

struct dataset *dataset_open(const char *path, struct buf *err)
{
    return dataset_load(path, err, NULL);
}

struct dataset *dataset_load(const char *path, struct buf *err, enum ds_open_error *why)
{
    enum ds_open_error ignored;
    if (!why)
        why = &ignored;
    *why = DS_OPEN_EIO;
    struct dataset *ds = xcalloc(1, sizeof(*ds));
    ds->path = xstrdup(path);
    ds->fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char header[HEADER_SIZE], trailer[TRAILER_SIZE];
    unsigned char *meta = NULL;
    struct stat st;
    if (ds->fd < 0 || fstat(ds->fd, &st) != 0) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        buf_printf(err, "%s: %s", path,
                   S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        goto fail;
    }
    char *journal = dataset_journal_path(path);
    bool replacing = access(journal, F_OK) == 0;
    free(journal);
    if (replacing) {
        *why = DS_OPEN_EFORMAT;
        buf_printf(err,
                   "%s: candour-ingest was stopped while replacing this dataset and its rejects "
                   "file, so they may not match (.%s.replacing exists): run candour-ingest again",
                   path, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
        goto fail;
    }
    *why = DS_OPEN_EFORMAT;
    ds->file_size = (uint64_t)st.st_size;
    if (ds->file_size < HEADER_SIZE + TRAILER_SIZE || !read_exact(ds->fd, header, HEADER_SIZE, 0) ||
        memcmp(header, header_magic, 8) != 0) {
        buf_printf(err, "%s: not a candour dataset (bad magic or too short)", path);
        goto fail;
    }
    uint32_t version = get_le32(header + 8);
    if (version < DATASET_FORMAT_OLDEST || version > DATASET_FORMAT_VERSION) {
        buf_printf(err, "%s: dataset format version %u; this candour reads versions %d to %d", path,
                   version, DATASET_FORMAT_OLDEST, DATASET_FORMAT_VERSION);
        goto fail;
    }
    /* Versions 1 and 2 define no flags: anything else is damage or a newer writer. */
    if (get_le32(header + 12) != 0) {
        buf_printf(err, "%s: unknown dataset flags 0x%08x (corrupt, or from a newer candour)", path,
                   get_le32(header + 12));
        goto fail;
    }
    if (!read_exact(ds->fd, trailer, TRAILER_SIZE, ds->file_size - TRAILER_SIZE) ||
        memcmp(trailer + 16, trailer_magic, 8) != 0) {
        buf_printf(err, "%s: dataset is truncated or corrupt (no trailer)", path);
        goto fail;
    }
    uint64_t meta_offset = get_le64(trailer);
    uint32_t meta_len = get_le32(trailer + 8);
    if (meta_offset < HEADER_SIZE || meta_len > META_MAX ||
        meta_offset + meta_len != ds->file_size - TRAILER_SIZE) {
        buf_printf(err, "%s: dataset is truncated or corrupt (bad trailer)", path);
        goto fail;
    }
    meta = xmalloc(meta_len ? meta_len : 1);
    if (!read_exact(ds->fd, meta, meta_len, meta_offset) ||
        libdeflate_crc32(0, meta, meta_len) != get_le32(trailer + 12)) {
        buf_printf(err, "%s: dataset metadata is corrupt (CRC mismatch)", path);
        goto fail;
    }
    if (!decode_metadata(ds, meta, meta_len, meta_offset, version)) {
        buf_printf(err, "%s: dataset metadata is inconsistent", path);
        goto fail;
    }
    free(meta);
    return ds;
fail:
    free(meta);
    dataset_close(ds);
    return NULL;
}

void dataset_close(struct dataset *ds)
{
    if (!ds)
        return;
    if (ds->fd >= 0)
        close(ds->fd);
    for (size_t c = 0; c < ds->n_columns; c++) {
        free(ds->columns[c].name);
        strdict_release(&ds->columns[c].dict);
    }
    free(ds->columns);
    for (size_t i = 0; i < ds->n_inputs; i++)
        free(ds->inputs[i].name);
    free(ds->inputs);
    rejected_free(ds->rejected, ds->n_rejected);
    for (size_t b = 0; b < ds->n_blocks; b++)
        free(ds->blocks[b].chunks);
    free(ds->blocks);
    free(ds->schema_name);
    free(ds->schema_text);
    free(ds->created_by);
    free(ds->path);
    free(ds);
}

/* The largest of n little-endian 32-bit codes: a loop without an exit, so
 * that the compiler can take several at once (the test code by code with
 * a return in the loop was a tenth of reading a block's code columns). */
static uint32_t largest_code(const unsigned char *p, uint32_t n)
{
    uint32_t largest = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t code = get_le32(p + 4 * i);
        largest = code > largest ? code : largest;
    }
    return largest;
}

bool dataset_read_chunk(const struct dataset *ds, size_t b, size_t col, void *out, struct buf *err)
{
    const struct ds_chunk *ch = &ds->blocks[b].chunks[col];
    unsigned char *comp = xmalloc(ch->comp_len ? ch->comp_len : 1);
    bool ok = read_exact(ds->fd, comp, ch->comp_len, ch->offset);
    if (!ok)
        buf_printf(err, "%s: cannot read block %zu: %s", ds->path, b,
                   errno ? strerror(errno) : "unexpected end of file");
    if (ok && libdeflate_crc32(0, comp, ch->comp_len) != ch->crc32) {
        buf_printf(err, "%s: block %zu column '%s' is corrupt (CRC mismatch)", ds->path, b,
                   ds->columns[col].name);
        ok = false;
    }
    struct libdeflate_decompressor *d = ok ? libdeflate_alloc_decompressor() : NULL;
    size_t raw_len = 0;
    if (ok && !d) {
        buf_printf(err, "%s: out of memory for decompression", ds->path);
        ok = false;
    }
    if (ok && (libdeflate_zlib_decompress(d, comp, ch->comp_len, out, ch->raw_len, &raw_len) !=
                   LIBDEFLATE_SUCCESS ||
               raw_len != ch->raw_len)) {
        buf_printf(err, "%s: block %zu column '%s' does not decompress", ds->path, b,
                   ds->columns[col].name);
        ok = false;
    }
    libdeflate_free_decompressor(d);
    free(comp);
    if (ok && ds->columns[col].type == DS_STR &&
        largest_code(out, ds->blocks[b].n_rows) >= ds->columns[col].dict.count) {
        buf_printf(err, "%s: block %zu column '%s' has a code outside its dictionary", ds->path,
                   b, ds->columns[col].name);
        return false;
    }
    return ok;
}

size_t dataset_find_column(const struct dataset *ds, uint8_t role, const char *name)
{
    for (size_t c = 0; c < ds->n_columns; c++)
        if (ds->columns[c].role == role && (!name || strcmp(ds->columns[c].name, name) == 0))
            return c;
    return (size_t)-1;
}
