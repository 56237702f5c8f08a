/*
 * The compiled fast path of difftool.fingerprint.fingerprint: the same values, bit for
 * bit, as the NumPy reference there (_fingerprint_numpy), in one pass over the text
 * instead of some fifty array operations. Built when a C compiler is present at install
 * time (setup.py marks it optional); without it the NumPy path runs. The tests compare
 * the two on generated and real texts.
 *
 * fingerprint(text, k, num_perm) -> (key_hash, tokens, holes, shingles, signatures)
 *   shingles: the sorted unique top-24-bit shingle hashes, uint32 native byte order;
 *   signatures: the whole, first-half and second-half signatures, 3 * num_perm uint64.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define ROLL 0x100000001B3ULL /* FNV prime, the rolling multiplier */
#define HOLE 0xFFFDu          /* U+FFFD: a character lost to an encoding accident */
#define EMPTY UINT64_MAX
#define SHINGLE_BITS 24
#define MAX_POWER 63

/* 0: skipped (spaces, punctuation); 1: ASCII or full-width letter or digit (runs into a
 * word); 2: a token of its own (CJK, other letters). As fingerprint._classes. */
static uint8_t CLASS[0x10000];
static uint64_t POWERS[MAX_POWER + 1];

static void build_tables(void)
{
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        int ascii_word = (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
        int full = (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
                   (cp >= 0xFF41 && cp <= 0xFF5A);
        int latin = cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
        int wide = cp >= 0x3400 && !(cp >= 0xFE30 && cp <= 0xFE4F) &&
                   !(cp >= 0xFF00 && cp <= 0xFF65) && !(cp >= 0xD800 && cp <= 0xDFFF);
        CLASS[cp] = (ascii_word || full) ? 1 : ((latin || wide) ? 2 : 0);
    }
    POWERS[0] = 1;
    for (int j = 1; j <= MAX_POWER; j++)
        POWERS[j] = POWERS[j - 1] * ROLL;
}

static inline uint64_t mix(uint64_t x) /* SplitMix64's finaliser */
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

/* Tokenising state: tokens so far, whether the last character ran into a word, and the
 * place of that character in it. */
typedef struct {
    Py_ssize_t count;
    int in_word, place;
} Tokens;

static inline void token_step(Py_UCS4 cp, uint64_t *codes, Tokens *t)
{
    int cls = cp <= 0xFFFF ? CLASS[cp] : 2;
    if (cls == 0) {
        t->in_word = 0;
    } else if (cls == 2) {
        codes[t->count++] = cp;
        t->in_word = 0;
    } else {
        uint64_t folded = cp >= 0xFF10 ? cp - 0xFEE0 : cp;
        if (t->in_word) {
            if (t->place < MAX_POWER)
                t->place++;
            codes[t->count - 1] += folded * POWERS[t->place];
        } else {
            codes[t->count++] = folded;
            t->place = 0;
        }
        t->in_word = 1;
    }
}

/* One code per token: a CJK character's code point, a rolling hash of a word. A loop
 * for each width of the string's characters, so that none asks the width per
 * character. */
static Py_ssize_t token_codes(int kind, const void *data, Py_ssize_t n, uint64_t *codes)
{
    Tokens t = {0, 0, 0};
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *chars = data;
        for (Py_ssize_t i = 0; i < n; i++)
            token_step(chars[i], codes, &t);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *chars = data;
        for (Py_ssize_t i = 0; i < n; i++)
            token_step(chars[i], codes, &t);
    } else {
        const Py_UCS4 *chars = data;
        for (Py_ssize_t i = 0; i < n; i++)
            token_step(chars[i], codes, &t);
    }
    return t.count;
}

static void bin_minima(const uint64_t *hashes, Py_ssize_t n, int shift, uint64_t *out,
                       Py_ssize_t bins)
{
    uint64_t low = (1ULL << shift) - 1;
    for (Py_ssize_t b = 0; b < bins; b++)
        out[b] = EMPTY;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t bin = hashes[i] >> shift, value = hashes[i] & low, seen = out[bin];
        out[bin] = value < seen ? value : seen; /* branch-free: the branch mispredicts */
    }
}

/* Rotation: an empty bin borrows the next filled bin's value (circularly), marked by
 * its distance. */
static void densify(uint64_t *out, Py_ssize_t bins, int shift)
{
    Py_ssize_t first = -1;
    for (Py_ssize_t b = 0; b < bins; b++)
        if (out[b] != EMPTY) {
            first = b;
            break;
        }
    if (first < 0)
        return;
    uint64_t step = 1ULL << shift;
    Py_ssize_t next = first; /* the filled bin after the ones being walked, going down */
    for (Py_ssize_t b = bins - 1; b >= 0; b--) {
        if (out[b] != EMPTY) {
            next = b;
            continue;
        }
        Py_ssize_t distance = ((next - b) % bins + bins) % bins;
        out[b] = out[next] + (uint64_t)distance * step;
    }
}

/* Sorts 24-bit values (three counting passes of 8 bits: the counts stay in the first
 * level cache, where two passes of 12 bits spent most of their time missing it) and
 * drops repeats; returns how many are left in values. */
static Py_ssize_t sort_unique(uint32_t *values, uint32_t *scratch, Py_ssize_t n)
{
    uint32_t counts[257];
    uint32_t *src = values, *dst = scratch;
    for (int by = 0; by < 24; by += 8) {
        memset(counts, 0, sizeof counts);
        for (Py_ssize_t i = 0; i < n; i++)
            counts[((src[i] >> by) & 0xFF) + 1]++;
        for (int d = 0; d < 256; d++)
            counts[d + 1] += counts[d];
        for (Py_ssize_t i = 0; i < n; i++)
            dst[counts[(src[i] >> by) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    /* three passes: the sorted values are in scratch; copied back without repeats */
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (kept == 0 || src[i] != values[kept - 1])
            values[kept++] = src[i];
    return kept;
}

static PyObject *fingerprint(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *text;
    Py_ssize_t k, num_perm;
    if (!PyArg_ParseTuple(args, "Unn", &text, &k, &num_perm))
        return NULL;
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < num_perm)
        bits++;
    if (num_perm < 2 || num_perm > 65536 || ((Py_ssize_t)1 << bits) != num_perm) {
        PyErr_SetString(PyExc_ValueError, "num_perm must be a power of two from 2 to 65536");
        return NULL;
    }
    int shift = 64 - bits;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0)
        return NULL;
#endif
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    size_t slots = (size_t)(n > 0 ? n : 1);
    if (slots > PY_SSIZE_T_MAX / 16)
        return PyErr_NoMemory();
    uint64_t *codes = PyMem_RawMalloc(slots * sizeof(uint64_t));
    uint64_t *hashes = PyMem_RawMalloc(slots * sizeof(uint64_t));
    uint32_t *tops = PyMem_RawMalloc(slots * sizeof(uint32_t) * 2);
    uint64_t *signatures = PyMem_RawMalloc(3 * (size_t)num_perm * sizeof(uint64_t));
    if (!codes || !hashes || !tops || !signatures) {
        PyMem_RawFree(codes);
        PyMem_RawFree(hashes);
        PyMem_RawFree(tops);
        PyMem_RawFree(signatures);
        return PyErr_NoMemory();
    }
    Py_ssize_t tokens, holes = 0, kept = 0, unique;
    uint64_t plain = 0, weighted = 0;
    Py_BEGIN_ALLOW_THREADS
    tokens = token_codes(kind, data, n, codes);
    /* shorter than a shingle: one shingle of all its tokens */
    Py_ssize_t size = k < tokens ? (k > 1 ? k : 1) : (tokens > 1 ? tokens : 1);
    Py_ssize_t shingles = tokens - size + 1;
    if (tokens == 0)
        shingles = 0;
    for (Py_ssize_t i = 0; i < tokens; i++)
        holes += codes[i] == HOLE;
    Py_ssize_t window = 0; /* holes inside the current shingle */
    for (Py_ssize_t j = 0; j < size - 1 && j < tokens; j++)
        window += codes[j] == HOLE;
    /* the shingle at i is sum(codes[i + j] * ROLL^(size - 1 - j)) mod 2^64, rolled on
     * from the one before it: the first token's term out, the next token's in (the
     * same value as multiplying out each shingle, in two multiplications) */
    uint64_t lead = 1; /* ROLL^(size - 1) */
    for (Py_ssize_t j = 1; j < size; j++)
        lead *= ROLL;
    uint64_t acc = 0;
    for (Py_ssize_t j = 0; j < size - 1 && j < tokens; j++)
        acc = acc * ROLL + codes[j];
    for (Py_ssize_t i = 0; i < shingles; i++) {
        acc = acc * ROLL + codes[i + size - 1];
        uint64_t h = mix(acc);
        acc -= codes[i] * lead;
        plain += h;
        weighted += h * (uint64_t)(2 * i + 1);
        window += codes[i + size - 1] == HOLE;
        if (window == 0 || holes == 0)
            hashes[kept++] = h;
        window -= codes[i] == HOLE;
    }
    Py_ssize_t half = kept / 2;
    uint64_t *whole = signatures, *head = signatures + num_perm, *tail = head + num_perm;
    bin_minima(hashes, half, shift, head, num_perm);
    bin_minima(hashes + half, kept - half, shift, tail, num_perm);
    for (Py_ssize_t b = 0; b < num_perm; b++)
        whole[b] = head[b] < tail[b] ? head[b] : tail[b];
    densify(whole, num_perm, shift);
    densify(head, num_perm, shift);
    densify(tail, num_perm, shift);
    for (Py_ssize_t i = 0; i < kept; i++)
        tops[i] = (uint32_t)(hashes[i] >> (64 - SHINGLE_BITS));
    unique = sort_unique(tops, tops + slots, kept);
    Py_END_ALLOW_THREADS
    char key_hash[33];
    snprintf(key_hash, sizeof key_hash, "%016llx%016llx", (unsigned long long)plain,
             (unsigned long long)weighted);
    PyObject *result = Py_BuildValue(
        "(snny#y#)", key_hash, tokens, holes, (const char *)tops,
        (Py_ssize_t)(unique * sizeof(uint32_t)), (const char *)signatures,
        (Py_ssize_t)(3 * num_perm * sizeof(uint64_t)));
    PyMem_RawFree(codes);
    PyMem_RawFree(hashes);
    PyMem_RawFree(tops);
    PyMem_RawFree(signatures);
    return result;
}

/* pack(shingles) -> bytes: the cache's encoding of a sorted shingle set, as
 * difftool.fingerprint._pack_numpy writes it: b"g", the first value (four bytes,
 * little-endian) and the gaps to the next (two bytes each), or, when a gap does not fit
 * in two bytes, b"p" and the plain four-byte values; b"p" alone for an empty set. */
static PyObject *pack(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "y*", &view))
        return NULL;
    if (view.len % 4 != 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "not a buffer of uint32 values");
        return NULL;
    }
    Py_ssize_t n = view.len / 4;
    const uint32_t *values = view.buf;
    int narrow = 1;
    for (Py_ssize_t i = 1; i < n && narrow; i++)
        narrow = values[i] - values[i - 1] < 65536u;
    Py_ssize_t size = n == 0 ? 1 : (narrow ? 1 + 4 + 2 * (n - 1) : 1 + 4 * n);
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(out);
    *p++ = (n > 0 && narrow) ? 'g' : 'p';
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t v = (narrow && i > 0) ? values[i] - values[i - 1] : values[i];
        *p++ = (unsigned char)v;
        *p++ = (unsigned char)(v >> 8);
        if (!narrow || i == 0) {
            *p++ = (unsigned char)(v >> 16);
            *p++ = (unsigned char)(v >> 24);
        }
    }
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef methods[] = {
    {"fingerprint", fingerprint, METH_VARARGS,
     "fingerprint(text, k, num_perm) -> (key_hash, tokens, holes, shingles, signatures)"},
    {"pack", pack, METH_VARARGS, "pack(shingles) -> the cache's encoding of a shingle set"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastprint",
                                    "The compiled fast path of difftool.fingerprint.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__fastprint(void)
{
    build_tables();
    return PyModule_Create(&module);
}
