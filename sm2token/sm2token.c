/*
 * sm2token: a PKCS#11 2.40 soft token with the vendor SM2/SM3 mechanisms of Chinese USB keys.
 *
 * It exists so that the helper's SM2 paths run against a real module, as they would against a vendor
 * DLL: slots and tokens, PIN flags with a retry counter that locks, login, object search, certificate
 * and data objects, vendor-defined objects (CKO_VENDOR_DEFINED + n, stored as given), SM2 key-pair
 * generation and signing in two profiles (the token hashes the message with Z and SM3; the token signs a
 * prepared digest). The cryptography is OpenSSL 3's SM2/SM3.
 *
 * Storage, like SoftHSM: $SM2TOKEN_CONF names a config file with
 *     directories.tokendir = /path/to/tokens
 *     pin.max_tries = 6            (optional; wrong PINs before the PIN locks)
 * Each token is a folder <tokendir>/<serial>/ holding token.conf and objects/<handle>.obj.
 * user_pin_expired=1 in token.conf makes the key force a PIN change, as some vendor keys do: C_Login answers
 * CKR_PIN_EXPIRED (and the token info CKF_USER_PIN_TO_BE_CHANGED) until C_SetPIN.
 * The last slot always holds an uninitialised token: C_InitToken there creates a new token.
 *
 * Vendor values (the Sansec/Koal family):
 *   CKK_SM2 0x80000004; CKM_SM2_KEY_PAIR_GEN 0x80008001;
 *   CKM_SM3_SM2 0x80008100 (message in, Z with the ID in the parameter or 1234567812345678, r||s out),
 *   0x80008101 (same, DER out), 0x80008102/0x80008103 (default ID, r||s / DER),
 *   CKM_SM2_SIGN 0x80008104 (32-byte digest in, DER out), 0x80008105 (digest in, r||s out).
 */
#define CRYPTOKI_GNU 1
#include <p11-kit/pkcs11.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define CKK_SM2 0x80000004UL
#define CKM_SM2_KEY_PAIR_GEN 0x80008001UL
#define CKM_SM3_SM2 0x80008100UL
#define CKM_SM3_SM2_DER 0x80008101UL
#define CKM_SM3_SM2_DEFAULT_ID 0x80008102UL
#define CKM_SM3_SM2_DEFAULT_ID_DER 0x80008103UL
#define CKM_SM2_SIGN_DER 0x80008104UL
#define CKM_SM2_SIGN 0x80008105UL

#define EXPORT __attribute__((visibility("default")))
#define MAX_SLOTS 32
#define MAX_SESSIONS 64
#define SESSION_OBJECT_BASE 0x10000000UL
#define DEFAULT_MAX_TRIES 6
#define MIN_PIN 4
#define MAX_PIN 32

static const unsigned char SM2_OID[] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D};
static const char DEFAULT_ID[] = "1234567812345678";
static const ck_mechanism_type_t MECHANISMS[] = {
    CKM_SM2_KEY_PAIR_GEN, CKM_SM3_SM2, CKM_SM3_SM2_DER, CKM_SM3_SM2_DEFAULT_ID,
    CKM_SM3_SM2_DEFAULT_ID_DER, CKM_SM2_SIGN_DER, CKM_SM2_SIGN,
};
#define N_MECHANISMS (sizeof(MECHANISMS) / sizeof(MECHANISMS[0]))

/* --- objects ------------------------------------------------------------------------------ */

struct attr {
  ck_attribute_type_t type;
  unsigned long len;
  unsigned char *val;
};

struct object {
  ck_object_handle_t handle;
  int on_token;
  ck_session_handle_t owner; /* session objects only */
  size_t n;
  struct attr *attrs;
  struct object *next;
};

struct token_state {
  char label[33];
  char serial[17];
  char so_pin[200];   /* salt:hash hex */
  char user_pin[200]; /* empty when the user PIN is not initialised */
  int user_fails, so_fails, max_tries;
  int user_pin_expired; /* C_Login answers CKR_PIN_EXPIRED until C_SetPIN, as keys that force a first change */
  unsigned long next_object, generation;
};

struct slot {
  int used;
  char dir[4096]; /* empty: the uninitialised slot */
  struct token_state st;
  unsigned long loaded_generation;
  int objects_loaded;
  struct object *objects; /* token objects, then session objects */
  unsigned long next_session_object;
  ck_user_type_t login; /* (ck_user_type_t)-1: nobody */
};

struct session {
  int used;
  ck_slot_id_t slot;
  int rw;
  /* search */
  int finding;
  ck_object_handle_t *found;
  size_t n_found, pos;
  /* signing */
  int signing;
  ck_mechanism_type_t mech;
  ck_object_handle_t key;
  unsigned char id[256];
  size_t id_len;
  unsigned char *buf;
  size_t buf_len;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_init;
static char g_tokendir[4096];
static int g_max_tries = DEFAULT_MAX_TRIES;
static struct slot g_slots[MAX_SLOTS];
static struct session g_sessions[MAX_SESSIONS];
#define NOBODY ((ck_user_type_t)-1)

static void free_object(struct object *o) {
  for (size_t i = 0; i < o->n; i++) {
    OPENSSL_cleanse(o->attrs[i].val, o->attrs[i].len);
    free(o->attrs[i].val);
  }
  free(o->attrs);
  free(o);
}

static struct attr *get_attr(struct object *o, ck_attribute_type_t t) {
  for (size_t i = 0; i < o->n; i++)
    if (o->attrs[i].type == t) return &o->attrs[i];
  return NULL;
}

static int set_attr(struct object *o, ck_attribute_type_t t, const void *v, unsigned long len) {
  struct attr *a = get_attr(o, t);
  unsigned char *copy = malloc(len ? len : 1);
  if (!copy) return 0;
  if (len) memcpy(copy, v, len);
  if (!a) {
    struct attr *grown = realloc(o->attrs, (o->n + 1) * sizeof(*grown));
    if (!grown) {
      free(copy);
      return 0;
    }
    o->attrs = grown;
    a = &o->attrs[o->n++];
    a->type = t;
  } else {
    free(a->val);
  }
  a->val = copy;
  a->len = len;
  return 1;
}

static int set_ulong(struct object *o, ck_attribute_type_t t, unsigned long v) { return set_attr(o, t, &v, sizeof v); }
static int set_bool(struct object *o, ck_attribute_type_t t, unsigned char v) { return set_attr(o, t, &v, 1); }

static int default_attr(struct object *o, ck_attribute_type_t t, const void *v, unsigned long len) {
  return get_attr(o, t) ? 1 : set_attr(o, t, v, len);
}
static int default_bool(struct object *o, ck_attribute_type_t t, unsigned char v) { return default_attr(o, t, &v, 1); }

static int bool_attr(struct object *o, ck_attribute_type_t t, int dflt) {
  struct attr *a = get_attr(o, t);
  return a && a->len == 1 ? a->val[0] != 0 : dflt;
}

static unsigned long ulong_attr(struct object *o, ck_attribute_type_t t, unsigned long dflt) {
  struct attr *a = get_attr(o, t);
  unsigned long v;
  if (!a || a->len != sizeof v) return dflt;
  memcpy(&v, a->val, sizeof v);
  return v;
}

/* --- files -------------------------------------------------------------------------------- */

static int write_atomic(const char *path, const void *data, size_t len) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  const unsigned char *p = data;
  size_t left = len;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w <= 0) {
      close(fd);
      unlink(tmp);
      return 0;
    }
    p += w;
    left -= (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    return 0;
  }
  return 1;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      unsigned char *grown = realloc(buf, cap *= 2);
      if (!grown) {
        free(buf);
        buf = NULL;
      } else {
        buf = grown;
      }
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static int read_state(const char *dir, struct token_state *st) {
  char path[4200];
  snprintf(path, sizeof path, "%s/token.conf", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  memset(st, 0, sizeof *st);
  st->max_tries = DEFAULT_MAX_TRIES;
  st->next_object = 1;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    char *k = trim(line), *v = trim(eq + 1);
    if (!strcmp(k, "label")) snprintf(st->label, sizeof st->label, "%s", v);
    else if (!strcmp(k, "serial")) snprintf(st->serial, sizeof st->serial, "%s", v);
    else if (!strcmp(k, "so_pin")) snprintf(st->so_pin, sizeof st->so_pin, "%s", v);
    else if (!strcmp(k, "user_pin")) snprintf(st->user_pin, sizeof st->user_pin, "%s", v);
    else if (!strcmp(k, "user_fails")) st->user_fails = atoi(v);
    else if (!strcmp(k, "so_fails")) st->so_fails = atoi(v);
    else if (!strcmp(k, "max_tries")) st->max_tries = atoi(v);
    else if (!strcmp(k, "user_pin_expired")) st->user_pin_expired = atoi(v);
    else if (!strcmp(k, "next_object")) st->next_object = strtoul(v, NULL, 10);
    else if (!strcmp(k, "generation")) st->generation = strtoul(v, NULL, 10);
  }
  fclose(f);
  return st->serial[0] != 0;
}

static int write_state(const char *dir, const struct token_state *st) {
  char path[4200], text[1024];
  snprintf(path, sizeof path, "%s/token.conf", dir);
  int n = snprintf(text, sizeof text,
                   "label=%s\nserial=%s\nso_pin=%s\nuser_pin=%s\nuser_fails=%d\nso_fails=%d\nmax_tries=%d\n"
                   "next_object=%lu\ngeneration=%lu\nuser_pin_expired=%d\n",
                   st->label, st->serial, st->so_pin, st->user_pin, st->user_fails, st->so_fails, st->max_tries,
                   st->next_object, st->generation, st->user_pin_expired);
  return write_atomic(path, text, (size_t)n);
}

/* object file: "SM2O" then per attribute: u64 type, u32 length, bytes */
static int save_object(struct slot *s, struct object *o) {
  size_t len = 4;
  for (size_t i = 0; i < o->n; i++) len += 12 + o->attrs[i].len;
  unsigned char *buf = malloc(len), *p = buf;
  if (!buf) return 0;
  memcpy(p, "SM2O", 4);
  p += 4;
  for (size_t i = 0; i < o->n; i++) {
    uint64_t t = o->attrs[i].type;
    uint32_t l = (uint32_t)o->attrs[i].len;
    memcpy(p, &t, 8);
    memcpy(p + 8, &l, 4);
    memcpy(p + 12, o->attrs[i].val, l);
    p += 12 + l;
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/objects/%lu.obj", s->dir, o->handle);
  int ok = write_atomic(path, buf, len);
  OPENSSL_cleanse(buf, len);
  free(buf);
  return ok;
}

static struct object *load_object(const char *path, ck_object_handle_t handle) {
  size_t len;
  unsigned char *buf = read_file(path, &len);
  if (!buf) return NULL;
  struct object *o = calloc(1, sizeof *o);
  if (!o || len < 4 || memcmp(buf, "SM2O", 4)) goto bad;
  o->handle = handle;
  o->on_token = 1;
  size_t off = 4;
  while (off + 12 <= len) {
    uint64_t t;
    uint32_t l;
    memcpy(&t, buf + off, 8);
    memcpy(&l, buf + off + 8, 4);
    if (off + 12 + l > len || !set_attr(o, (ck_attribute_type_t)t, buf + off + 12, l)) goto bad;
    off += 12 + l;
  }
  OPENSSL_cleanse(buf, len);
  free(buf);
  return o;
bad:
  if (o) free_object(o);
  free(buf);
  return NULL;
}

static void drop_token_objects(struct slot *s) {
  struct object **pp = &s->objects;
  while (*pp) {
    struct object *o = *pp;
    if (o->on_token) {
      *pp = o->next;
      free_object(o);
    } else {
      pp = &o->next;
    }
  }
  s->objects_loaded = 0;
}

/* One token folder locked (flock) by this process at a time, for the rest of the current call: other
 * processes see a call's read-modify-write of token.conf (retry counters, generation) whole. */
static int g_token_lock = -1;
static char g_token_locked[4096];

static void unlock_token(void) {
  if (g_token_lock >= 0) close(g_token_lock); /* closing releases the flock */
  g_token_lock = -1;
  g_token_locked[0] = 0;
}

static void lock_token(const char *dir) {
  if (g_token_lock >= 0 && !strcmp(g_token_locked, dir)) return;
  unlock_token();
  char path[4200];
  snprintf(path, sizeof path, "%s/.lock", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return; /* the folder is gone: read_state says so */
  while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  g_token_lock = fd;
  snprintf(g_token_locked, sizeof g_token_locked, "%s", dir);
}

/* Re-read token.conf (another process may have changed PIN state or objects); 0 when the token is gone. */
static int refresh(struct slot *s) {
  if (!s->dir[0]) return 1;
  lock_token(s->dir);
  if (!read_state(s->dir, &s->st)) return 0;
  if (s->objects_loaded && s->loaded_generation == s->st.generation) return 1;
  drop_token_objects(s);
  char path[4200];
  snprintf(path, sizeof path, "%s/objects", s->dir);
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      char *end;
      unsigned long h = strtoul(e->d_name, &end, 10);
      if (h == 0 || strcmp(end, ".obj")) continue;
      char file[4400];
      snprintf(file, sizeof file, "%s/%s", path, e->d_name);
      struct object *o = load_object(file, h);
      if (o) {
        o->next = s->objects;
        s->objects = o;
      }
    }
    closedir(d);
  }
  s->objects_loaded = 1;
  s->loaded_generation = s->st.generation;
  return 1;
}

static int bump_generation(struct slot *s) {
  s->st.generation++;
  if (!write_state(s->dir, &s->st)) return 0;
  s->loaded_generation = s->st.generation;
  return 1;
}

/* --- PINs --------------------------------------------------------------------------------- */

static void hex(const unsigned char *in, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", in[i]);
}

static int pin_digest(const unsigned char *salt, const unsigned char *pin, unsigned long len, unsigned char out[32]) {
  unsigned int n = 0;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  int ok = c && EVP_DigestInit_ex(c, EVP_sm3(), NULL) && EVP_DigestUpdate(c, salt, 16) &&
           EVP_DigestUpdate(c, pin, len) && EVP_DigestFinal_ex(c, out, &n);
  EVP_MD_CTX_free(c);
  return ok && n == 32;
}

static int make_pin_record(const unsigned char *pin, unsigned long len, char *record) {
  unsigned char salt[16], d[32];
  if (RAND_bytes(salt, sizeof salt) != 1 || !pin_digest(salt, pin, len, d)) return 0;
  hex(salt, 16, record);
  record[32] = ':';
  hex(d, 32, record + 33);
  return 1;
}

static int pin_matches(const char *record, const unsigned char *pin, unsigned long len) {
  unsigned char salt[16], d[32];
  char want[65];
  if (strlen(record) != 97 || record[32] != ':') return 0;
  for (int i = 0; i < 16; i++) {
    unsigned int b;
    if (sscanf(record + 2 * i, "%2x", &b) != 1) return 0;
    salt[i] = (unsigned char)b;
  }
  if (!pin_digest(salt, pin, len, d)) return 0;
  hex(d, 32, want);
  return CRYPTO_memcmp(want, record + 33, 64) == 0;
}

static ck_rv_t check_pin_length(unsigned long len) {
  return len < MIN_PIN || len > MAX_PIN ? CKR_PIN_LEN_RANGE : CKR_OK;
}

/* Check a PIN against the record, counting failures in token.conf; the PIN locks after max_tries. */
static ck_rv_t verify_pin(struct slot *s, int so, const unsigned char *pin, unsigned long len) {
  int *fails = so ? &s->st.so_fails : &s->st.user_fails;
  const char *record = so ? s->st.so_pin : s->st.user_pin;
  if (!record[0]) return CKR_USER_PIN_NOT_INITIALIZED;
  if (*fails >= s->st.max_tries) return CKR_PIN_LOCKED;
  if (pin && pin_matches(record, pin, len)) {
    if (*fails) {
      *fails = 0;
      if (!write_state(s->dir, &s->st)) return CKR_DEVICE_ERROR;
    }
    return CKR_OK;
  }
  (*fails)++;
  if (!write_state(s->dir, &s->st)) return CKR_DEVICE_ERROR;
  return *fails >= s->st.max_tries ? CKR_PIN_LOCKED : CKR_PIN_INCORRECT;
}

/* --- slots and sessions ------------------------------------------------------------------- */

static int read_config(void) {
  const char *conf = getenv("SM2TOKEN_CONF");
  g_tokendir[0] = 0;
  g_max_tries = DEFAULT_MAX_TRIES;
  if (!conf) return 1;
  FILE *f = fopen(conf, "r");
  if (!f) return 0;
  char line[4200];
  while (fgets(line, sizeof line, f)) {
    char *eq = strchr(line, '=');
    if (!eq || line[0] == '#') continue;
    *eq = 0;
    char *k = trim(line), *v = trim(eq + 1);
    if (!strcmp(k, "directories.tokendir")) snprintf(g_tokendir, sizeof g_tokendir, "%s", v);
    else if (!strcmp(k, "pin.max_tries") && atoi(v) > 0) g_max_tries = atoi(v);
  }
  fclose(f);
  return 1;
}

static int dir_in_slots(const char *dir) {
  for (int i = 0; i < MAX_SLOTS; i++)
    if (g_slots[i].used && !strcmp(g_slots[i].dir, dir)) return 1;
  return 0;
}

static struct slot *add_slot(void) {
  for (int i = 0; i < MAX_SLOTS; i++)
    if (!g_slots[i].used) {
      memset(&g_slots[i], 0, sizeof g_slots[i]);
      g_slots[i].used = 1;
      g_slots[i].login = NOBODY;
      g_slots[i].next_session_object = SESSION_OBJECT_BASE;
      return &g_slots[i];
    }
  return NULL;
}

static int sorted_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* New token folders become new slots (existing slots keep their ids); one empty slot stays last. */
static void rescan(void) {
  if (!g_tokendir[0]) return;
  DIR *d = opendir(g_tokendir);
  if (!d) return;
  char *names[MAX_SLOTS];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < MAX_SLOTS) {
    if (e->d_name[0] == '.') continue;
    char path[4200];
    struct token_state st;
    snprintf(path, sizeof path, "%s/%s", g_tokendir, e->d_name);
    if (!dir_in_slots(path) && read_state(path, &st)) names[n++] = strdup(path);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], sorted_names);
  struct slot *empty = NULL;
  for (int i = 0; i < MAX_SLOTS; i++)
    if (g_slots[i].used && !g_slots[i].dir[0]) empty = &g_slots[i];
  for (int i = 0; i < n; i++) {
    struct slot *s = empty ? empty : add_slot();
    empty = NULL;
    if (s) snprintf(s->dir, sizeof s->dir, "%s", names[i]);
    free(names[i]);
  }
  if (!empty) add_slot();
}

static struct slot *slot_of(ck_slot_id_t id) {
  return id < MAX_SLOTS && g_slots[id].used ? &g_slots[id] : NULL;
}

static int token_present(struct slot *s) { return !s->dir[0] || refresh(s); }

static struct session *session_of(ck_session_handle_t h) {
  return h >= 1 && h <= MAX_SESSIONS && g_sessions[h - 1].used ? &g_sessions[h - 1] : NULL;
}

static int sessions_on(ck_slot_id_t slot, int rw_only, int ro_only) {
  int n = 0;
  for (int i = 0; i < MAX_SESSIONS; i++)
    if (g_sessions[i].used && g_sessions[i].slot == slot && (!rw_only || g_sessions[i].rw) &&
        (!ro_only || !g_sessions[i].rw))
      n++;
  return n;
}

static void end_sign(struct session *ss) {
  if (ss->buf) OPENSSL_cleanse(ss->buf, ss->buf_len);
  free(ss->buf);
  ss->buf = NULL;
  ss->buf_len = 0;
  ss->signing = 0;
}

static void close_session(ck_session_handle_t h) {
  struct session *ss = session_of(h);
  struct slot *s = slot_of(ss->slot);
  struct object **pp = &s->objects;
  while (*pp) {
    struct object *o = *pp;
    if (!o->on_token && o->owner == h) {
      *pp = o->next;
      free_object(o);
    } else {
      pp = &o->next;
    }
  }
  free(ss->found);
  end_sign(ss);
  memset(ss, 0, sizeof *ss);
  if (!sessions_on((ck_slot_id_t)(s - g_slots), 0, 0)) s->login = NOBODY;
}

static void pad(unsigned char *dst, size_t n, const char *src) {
  memset(dst, ' ', n);
  size_t l = strlen(src);
  memcpy(dst, src, l < n ? l : n);
}

static int visible(struct slot *s, struct object *o) {
  return !bool_attr(o, CKA_PRIVATE, 0) || s->login == CKU_USER;
}

static struct object *object_of(struct slot *s, ck_object_handle_t h) {
  for (struct object *o = s->objects; o; o = o->next)
    if (o->handle == h) return visible(s, o) ? o : NULL;
  return NULL;
}

/* Session checks shared by most calls: a valid session whose token is still there. */
static ck_rv_t enter(ck_session_handle_t h, struct session **ss, struct slot **s) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  *ss = session_of(h);
  if (!*ss) return CKR_SESSION_HANDLE_INVALID;
  *s = slot_of((*ss)->slot);
  if (!refresh(*s)) return CKR_DEVICE_REMOVED;
  return CKR_OK;
}

/* Declares ss, s and rv for a call on session h, returning early when the session cannot be used. */
#define ENTER_SESSION(h)                \
  struct session *ss;                   \
  struct slot *s;                       \
  ck_rv_t rv = enter((h), &ss, &s);     \
  (void)ss, (void)s;                    \
  if (rv != CKR_OK) return rv

/* ENTER_SESSION, and o: the object oh as this session sees it. */
#define ENTER_OBJECT(h, oh)                   \
  ENTER_SESSION(h);                           \
  struct object *o = object_of(s, (oh));      \
  if (!o) return CKR_OBJECT_HANDLE_INVALID

/* --- object creation ---------------------------------------------------------------------- */

static ck_rv_t apply_template(struct object *o, struct ck_attribute *t, unsigned long n) {
  for (unsigned long i = 0; i < n; i++) {
    if (!t[i].value && t[i].value_len) return CKR_ATTRIBUTE_VALUE_INVALID;
    if (!set_attr(o, t[i].type, t[i].value, t[i].value_len)) return CKR_HOST_MEMORY;
  }
  return CKR_OK;
}

/* Give the object its handle and store it (token objects on disk, session objects in memory). */
static ck_rv_t store_object(struct session *ss, ck_session_handle_t h, struct slot *s, struct object *o) {
  int on_token = bool_attr(o, CKA_TOKEN, 0);
  if (on_token && !ss->rw) return CKR_SESSION_READ_ONLY;
  if (bool_attr(o, CKA_PRIVATE, 0) && s->login != CKU_USER) return CKR_USER_NOT_LOGGED_IN;
  o->on_token = on_token;
  if (on_token) {
    o->handle = s->st.next_object++;
    if (!save_object(s, o)) return CKR_DEVICE_ERROR;
    if (!bump_generation(s)) return CKR_DEVICE_ERROR;
  } else {
    o->handle = s->next_session_object++;
    o->owner = h;
  }
  o->next = s->objects;
  s->objects = o;
  return CKR_OK;
}

static ck_rv_t create_object(ck_session_handle_t h, struct ck_attribute *t, unsigned long n, ck_object_handle_t *out) {
  ENTER_SESSION(h);
  if (!t || !out) return CKR_ARGUMENTS_BAD;
  struct object *o = calloc(1, sizeof *o);
  if (!o) return CKR_HOST_MEMORY;
  if ((rv = apply_template(o, t, n)) != CKR_OK) goto fail;
  unsigned long cls = ulong_attr(o, CKA_CLASS, (unsigned long)-1);
  if (cls == CKO_CERTIFICATE) {
    if (!get_attr(o, CKA_VALUE)) {
      rv = CKR_TEMPLATE_INCOMPLETE;
      goto fail;
    }
    unsigned long x509 = CKC_X_509;
    if (!default_attr(o, CKA_CERTIFICATE_TYPE, &x509, sizeof x509) || !default_attr(o, CKA_ID, "", 0) ||
        !default_attr(o, CKA_SUBJECT, "", 0) || !default_bool(o, CKA_TRUSTED, 0))
      goto nomem;
  } else if (cls == CKO_DATA) {
    if (!default_attr(o, CKA_APPLICATION, "", 0) || !default_attr(o, CKA_VALUE, "", 0) ||
        !default_attr(o, CKA_OBJECT_ID, "", 0))
      goto nomem;
  } else if (cls == (unsigned long)-1) {
    rv = CKR_TEMPLATE_INCOMPLETE;
    goto fail;
  } else if (cls >= CKO_VENDOR_DEFINED) {
    /* vendor containers, as Chinese USB keys keep them beside the certificates: stored as given */
  } else {
    rv = CKR_ATTRIBUTE_VALUE_INVALID; /* keys come from C_GenerateKeyPair only */
    goto fail;
  }
  if (!default_bool(o, CKA_TOKEN, 0) || !default_bool(o, CKA_PRIVATE, 0) || !default_bool(o, CKA_MODIFIABLE, 1) ||
      !default_attr(o, CKA_LABEL, "", 0))
    goto nomem;
  if ((rv = store_object(ss, h, s, o)) != CKR_OK) goto fail;
  *out = o->handle;
  return CKR_OK;
nomem:
  rv = CKR_HOST_MEMORY;
fail:
  free_object(o);
  return rv;
}

/* --- SM2 ---------------------------------------------------------------------------------- */

static EVP_PKEY *private_key(struct object *o) {
  struct attr *d = get_attr(o, CKA_VALUE), *q = get_attr(o, CKA_EC_POINT);
  if (!d || !q || q->len != 67) return NULL;
  EVP_PKEY *pkey = NULL;
  BIGNUM *bn = BN_bin2bn(d->val, (int)d->len, NULL);
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
  if (bn && bld && ctx && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q->val + 2, 65) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) > 0)
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(bn);
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

static ck_rv_t generate_keypair(ck_session_handle_t h, struct ck_mechanism *m, struct ck_attribute *pt,
                                unsigned long pn, struct ck_attribute *kt, unsigned long kn,
                                ck_object_handle_t *pub_out, ck_object_handle_t *priv_out) {
  ENTER_SESSION(h);
  if (!m || !pub_out || !priv_out) return CKR_ARGUMENTS_BAD;
  if (m->mechanism != CKM_SM2_KEY_PAIR_GEN) return CKR_MECHANISM_INVALID;
  struct object *pub = calloc(1, sizeof *pub), *priv = calloc(1, sizeof *priv);
  EVP_PKEY *pkey = NULL;
  BIGNUM *d = NULL;
  unsigned char point[67] = {0x04, 0x41}, scalar[32];
  size_t qlen = 0;
  rv = CKR_HOST_MEMORY;
  if (!pub || !priv) goto out;
  if ((rv = apply_template(pub, pt, pn)) != CKR_OK || (rv = apply_template(priv, kt, kn)) != CKR_OK) goto out;
  rv = CKR_TEMPLATE_INCONSISTENT;
  if (ulong_attr(pub, CKA_CLASS, CKO_PUBLIC_KEY) != CKO_PUBLIC_KEY ||
      ulong_attr(priv, CKA_CLASS, CKO_PRIVATE_KEY) != CKO_PRIVATE_KEY ||
      ulong_attr(pub, CKA_KEY_TYPE, CKK_SM2) != CKK_SM2 || ulong_attr(priv, CKA_KEY_TYPE, CKK_SM2) != CKK_SM2)
    goto out;
  if (get_attr(pub, CKA_EC_PARAMS) &&
      (get_attr(pub, CKA_EC_PARAMS)->len != sizeof SM2_OID ||
       memcmp(get_attr(pub, CKA_EC_PARAMS)->val, SM2_OID, sizeof SM2_OID)))
    goto out;
  rv = CKR_FUNCTION_FAILED;
  pkey = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
  if (!pkey || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) || BN_bn2binpad(d, scalar, 32) != 32 ||
      !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point + 2, 65, &qlen) || qlen != 65)
    goto out;
  rv = CKR_HOST_MEMORY;
  unsigned char local = 1;
  struct attr *id = get_attr(pub, CKA_ID) ? get_attr(pub, CKA_ID) : get_attr(priv, CKA_ID);
  struct attr *label = get_attr(pub, CKA_LABEL) ? get_attr(pub, CKA_LABEL) : get_attr(priv, CKA_LABEL);
  if ((id && (!default_attr(pub, CKA_ID, id->val, id->len) || !default_attr(priv, CKA_ID, id->val, id->len))) ||
      (label && (!default_attr(pub, CKA_LABEL, label->val, label->len) ||
                 !default_attr(priv, CKA_LABEL, label->val, label->len))))
    goto out;
  if (!set_ulong(pub, CKA_CLASS, CKO_PUBLIC_KEY) || !set_ulong(pub, CKA_KEY_TYPE, CKK_SM2) ||
      !set_attr(pub, CKA_EC_PARAMS, SM2_OID, sizeof SM2_OID) || !set_attr(pub, CKA_EC_POINT, point, 67) ||
      !set_bool(pub, CKA_LOCAL, local) || !default_bool(pub, CKA_TOKEN, 0) || !default_bool(pub, CKA_PRIVATE, 0) ||
      !default_bool(pub, CKA_VERIFY, 1) || !default_bool(pub, CKA_MODIFIABLE, 1) || !default_attr(pub, CKA_ID, "", 0) ||
      !default_attr(pub, CKA_LABEL, "", 0) || !set_ulong(pub, CKA_KEY_GEN_MECHANISM, CKM_SM2_KEY_PAIR_GEN))
    goto out;
  if (!set_ulong(priv, CKA_CLASS, CKO_PRIVATE_KEY) || !set_ulong(priv, CKA_KEY_TYPE, CKK_SM2) ||
      !set_attr(priv, CKA_EC_PARAMS, SM2_OID, sizeof SM2_OID) || !set_attr(priv, CKA_EC_POINT, point, 67) ||
      !set_attr(priv, CKA_VALUE, scalar, 32) || !set_bool(priv, CKA_LOCAL, local) ||
      !default_bool(priv, CKA_TOKEN, 0) || !default_bool(priv, CKA_PRIVATE, 1) || !default_bool(priv, CKA_SIGN, 1) ||
      !default_bool(priv, CKA_SENSITIVE, 1) || !default_bool(priv, CKA_EXTRACTABLE, 0) ||
      !default_bool(priv, CKA_DECRYPT, 0) || !default_bool(priv, CKA_MODIFIABLE, 1) ||
      !default_attr(priv, CKA_ID, "", 0) || !default_attr(priv, CKA_LABEL, "", 0) ||
      !set_ulong(priv, CKA_KEY_GEN_MECHANISM, CKM_SM2_KEY_PAIR_GEN))
    goto out;
  if (!set_bool(priv, CKA_ALWAYS_SENSITIVE, bool_attr(priv, CKA_SENSITIVE, 1)) ||
      !set_bool(priv, CKA_NEVER_EXTRACTABLE, !bool_attr(priv, CKA_EXTRACTABLE, 0)))
    goto out;
  if ((rv = store_object(ss, h, s, pub)) != CKR_OK) goto out;
  *pub_out = pub->handle;
  pub = NULL;
  if ((rv = store_object(ss, h, s, priv)) != CKR_OK) goto out;
  *priv_out = priv->handle;
  priv = NULL;
  rv = CKR_OK;
out:
  if (pub) free_object(pub);
  if (priv) free_object(priv);
  OPENSSL_cleanse(scalar, sizeof scalar);
  BN_clear_free(d);
  EVP_PKEY_free(pkey);
  return rv;
}

static int is_sign_mechanism(ck_mechanism_type_t m) {
  return m == CKM_SM3_SM2 || m == CKM_SM3_SM2_DER || m == CKM_SM3_SM2_DEFAULT_ID ||
         m == CKM_SM3_SM2_DEFAULT_ID_DER || m == CKM_SM2_SIGN_DER || m == CKM_SM2_SIGN;
}

static int wants_der(ck_mechanism_type_t m) {
  return m == CKM_SM3_SM2_DER || m == CKM_SM3_SM2_DEFAULT_ID_DER || m == CKM_SM2_SIGN_DER;
}

static int signs_digest(ck_mechanism_type_t m) { return m == CKM_SM2_SIGN_DER || m == CKM_SM2_SIGN; }

static ck_rv_t sign_init(ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t key) {
  ENTER_SESSION(h);
  if (!m) return CKR_ARGUMENTS_BAD;
  if (ss->signing) return CKR_OPERATION_ACTIVE;
  if (!is_sign_mechanism(m->mechanism)) return CKR_MECHANISM_INVALID;
  struct object *o = object_of(s, key);
  if (!o) return CKR_KEY_HANDLE_INVALID;
  if (ulong_attr(o, CKA_CLASS, 0) != CKO_PRIVATE_KEY || ulong_attr(o, CKA_KEY_TYPE, 0) != CKK_SM2)
    return CKR_KEY_TYPE_INCONSISTENT;
  if (!bool_attr(o, CKA_SIGN, 0)) return CKR_KEY_FUNCTION_NOT_PERMITTED;
  if (s->login != CKU_USER) return CKR_USER_NOT_LOGGED_IN;
  const void *id = DEFAULT_ID;
  size_t id_len = strlen(DEFAULT_ID);
  if ((m->mechanism == CKM_SM3_SM2 || m->mechanism == CKM_SM3_SM2_DER) && m->parameter_len) {
    if (!m->parameter || m->parameter_len > sizeof ss->id) return CKR_MECHANISM_PARAM_INVALID;
    id = m->parameter;
    id_len = m->parameter_len;
  }
  memcpy(ss->id, id, id_len);
  ss->id_len = id_len;
  ss->mech = m->mechanism;
  ss->key = key;
  ss->signing = 1;
  ss->buf = NULL;
  ss->buf_len = 0;
  return CKR_OK;
}

static ck_rv_t sign_update(struct session *ss, const unsigned char *data, unsigned long len) {
  if (!len) return CKR_OK;
  unsigned char *grown = realloc(ss->buf, ss->buf_len + len);
  if (!grown) return CKR_HOST_MEMORY;
  memcpy(grown + ss->buf_len, data, len);
  ss->buf = grown;
  ss->buf_len += len;
  return CKR_OK;
}

/* Sign the buffered input; r||s (64 bytes) or DER by mechanism. */
static ck_rv_t sign_final(struct slot *s, struct session *ss, unsigned char *sig, unsigned long *sig_len) {
  unsigned long max = wants_der(ss->mech) ? 72 : 64;
  if (signs_digest(ss->mech) && ss->buf_len != 32) return CKR_DATA_LEN_RANGE;
  if (!sig) {
    *sig_len = max;
    return CKR_OK;
  }
  if (*sig_len < max) {
    *sig_len = max;
    return CKR_BUFFER_TOO_SMALL;
  }
  struct object *o = object_of(s, ss->key);
  if (!o) return CKR_KEY_HANDLE_INVALID;
  EVP_PKEY *pkey = private_key(o);
  if (!pkey) return CKR_FUNCTION_FAILED;
  unsigned char der[80];
  size_t der_len = sizeof der;
  int ok = 0;
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pkey, NULL);
  if (signs_digest(ss->mech)) {
    ok = pctx && EVP_PKEY_sign_init(pctx) > 0 && EVP_PKEY_sign(pctx, der, &der_len, ss->buf, ss->buf_len) > 0;
  } else {
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    ok = mctx && pctx && EVP_PKEY_CTX_set1_id(pctx, ss->id, ss->id_len) > 0;
    if (ok) {
      EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
      ok = EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pkey) > 0 &&
           EVP_DigestSign(mctx, der, &der_len, ss->buf, ss->buf_len) > 0;
    }
    EVP_MD_CTX_free(mctx);
  }
  EVP_PKEY_CTX_free(pctx);
  EVP_PKEY_free(pkey);
  if (!ok) return CKR_FUNCTION_FAILED;
  if (wants_der(ss->mech)) {
    memcpy(sig, der, der_len);
    *sig_len = der_len;
    return CKR_OK;
  }
  const unsigned char *p = der;
  ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
  ok = es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
  ECDSA_SIG_free(es);
  *sig_len = 64;
  return ok ? CKR_OK : CKR_FUNCTION_FAILED;
}

/* --- the API ------------------------------------------------------------------------------ */

#define LOCKED(expr)                 \
  do {                               \
    ck_rv_t rv_;                     \
    pthread_mutex_lock(&g_lock);     \
    rv_ = (expr);                    \
    unlock_token();                  \
    pthread_mutex_unlock(&g_lock);   \
    return rv_;                      \
  } while (0)

static ck_rv_t initialize(void *args) {
  if (g_init) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  struct ck_c_initialize_args *a = args;
  if (a && a->reserved) return CKR_ARGUMENTS_BAD;
  /* Either the OS lock (ours, pthread) or the caller's callbacks: ours is always used. */
  if (a && !(a->flags & CKF_OS_LOCKING_OK) && (a->create_mutex || a->lock_mutex) &&
      !(a->create_mutex && a->destroy_mutex && a->lock_mutex && a->unlock_mutex))
    return CKR_ARGUMENTS_BAD;
  if (!read_config()) return CKR_GENERAL_ERROR;
  memset(g_slots, 0, sizeof g_slots);
  memset(g_sessions, 0, sizeof g_sessions);
  g_init = 1;
  rescan();
  return CKR_OK;
}

static ck_rv_t finalize(void *reserved) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (reserved) return CKR_ARGUMENTS_BAD;
  for (int i = 0; i < MAX_SESSIONS; i++)
    if (g_sessions[i].used) close_session((ck_session_handle_t)(i + 1));
  for (int i = 0; i < MAX_SLOTS; i++) {
    struct object *o = g_slots[i].objects;
    while (o) {
      struct object *next = o->next;
      free_object(o);
      o = next;
    }
  }
  memset(g_slots, 0, sizeof g_slots);
  g_init = 0;
  return CKR_OK;
}

EXPORT ck_rv_t C_Initialize(void *args) { LOCKED(initialize(args)); }
EXPORT ck_rv_t C_Finalize(void *reserved) { LOCKED(finalize(reserved)); }

EXPORT ck_rv_t C_GetInfo(struct ck_info *info) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!info) return CKR_ARGUMENTS_BAD;
  memset(info, 0, sizeof *info);
  info->cryptoki_version.major = 2;
  info->cryptoki_version.minor = 40;
  pad(info->manufacturer_id, 32, "cahelper");
  pad(info->library_description, 32, "SM2 soft token");
  info->library_version.major = 1;
  return CKR_OK;
}

static ck_rv_t get_slot_list(unsigned char present, ck_slot_id_t *list, unsigned long *count) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!count) return CKR_ARGUMENTS_BAD;
  if (!list) rescan();
  unsigned long n = 0;
  for (int i = 0; i < MAX_SLOTS; i++) {
    if (!g_slots[i].used || (present && !token_present(&g_slots[i]))) continue;
    if (list && n < *count) list[n] = (ck_slot_id_t)i;
    n++;
  }
  ck_rv_t rv = list && n > *count ? CKR_BUFFER_TOO_SMALL : CKR_OK;
  *count = n;
  return rv;
}

EXPORT ck_rv_t C_GetSlotList(unsigned char present, ck_slot_id_t *list, unsigned long *count) {
  LOCKED(get_slot_list(present, list, count));
}

static ck_rv_t get_slot_info(ck_slot_id_t id, struct ck_slot_info *info) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  struct slot *s = slot_of(id);
  if (!s) return CKR_SLOT_ID_INVALID;
  if (!info) return CKR_ARGUMENTS_BAD;
  memset(info, 0, sizeof *info);
  char desc[64];
  snprintf(desc, sizeof desc, "SM2 soft token slot %lu", id);
  pad(info->slot_description, 64, desc);
  pad(info->manufacturer_id, 32, "cahelper");
  info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT | (token_present(s) ? CKF_TOKEN_PRESENT : 0);
  info->hardware_version.major = 1;
  info->firmware_version.major = 1;
  return CKR_OK;
}

EXPORT ck_rv_t C_GetSlotInfo(ck_slot_id_t id, struct ck_slot_info *info) { LOCKED(get_slot_info(id, info)); }

static unsigned long pin_flags(int fails, int max, unsigned long low, unsigned long final, unsigned long locked) {
  if (fails >= max) return locked;
  if (fails && max - fails == 1) return final;
  return fails ? low : 0;
}

static ck_rv_t get_token_info(ck_slot_id_t id, struct ck_token_info *info) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  struct slot *s = slot_of(id);
  if (!s) return CKR_SLOT_ID_INVALID;
  if (!info) return CKR_ARGUMENTS_BAD;
  if (!token_present(s)) return CKR_TOKEN_NOT_PRESENT;
  memset(info, 0, sizeof *info);
  pad(info->label, 32, s->dir[0] ? s->st.label : "");
  pad(info->manufacturer_id, 32, "cahelper");
  pad(info->model, 16, "SM2 soft token");
  pad(info->serial_number, 16, s->dir[0] ? s->st.serial : "");
  info->flags = CKF_RNG | CKF_LOGIN_REQUIRED;
  if (s->dir[0]) {
    info->flags |= CKF_TOKEN_INITIALIZED;
    if (s->st.user_pin[0]) info->flags |= CKF_USER_PIN_INITIALIZED;
    if (s->st.user_pin_expired) info->flags |= CKF_USER_PIN_TO_BE_CHANGED;
    info->flags |= pin_flags(s->st.user_fails, s->st.max_tries, CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY,
                             CKF_USER_PIN_LOCKED);
    info->flags |= pin_flags(s->st.so_fails, s->st.max_tries, CKF_SO_PIN_COUNT_LOW, CKF_SO_PIN_FINAL_TRY,
                             CKF_SO_PIN_LOCKED);
  }
  info->max_session_count = MAX_SESSIONS;
  info->session_count = (unsigned long)sessions_on(id, 0, 0);
  info->max_rw_session_count = MAX_SESSIONS;
  info->rw_session_count = (unsigned long)sessions_on(id, 1, 0);
  info->max_pin_len = MAX_PIN;
  info->min_pin_len = MIN_PIN;
  info->total_public_memory = CK_UNAVAILABLE_INFORMATION;
  info->free_public_memory = CK_UNAVAILABLE_INFORMATION;
  info->total_private_memory = CK_UNAVAILABLE_INFORMATION;
  info->free_private_memory = CK_UNAVAILABLE_INFORMATION;
  info->hardware_version.major = 1;
  info->firmware_version.major = 1;
  return CKR_OK;
}

EXPORT ck_rv_t C_GetTokenInfo(ck_slot_id_t id, struct ck_token_info *info) {
  LOCKED(get_token_info(id, info));
}

EXPORT ck_rv_t C_WaitForSlotEvent(ck_flags_t flags, ck_slot_id_t *slot, void *reserved) {
  (void)flags, (void)slot, (void)reserved;
  return CKR_FUNCTION_NOT_SUPPORTED; /* like SoftHSM: callers poll C_GetSlotList */
}

static ck_rv_t get_mechanism_list(ck_slot_id_t id, ck_mechanism_type_t *list, unsigned long *count) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!slot_of(id)) return CKR_SLOT_ID_INVALID;
  if (!count) return CKR_ARGUMENTS_BAD;
  if (list && *count < N_MECHANISMS) {
    *count = N_MECHANISMS;
    return CKR_BUFFER_TOO_SMALL;
  }
  if (list) memcpy(list, MECHANISMS, sizeof MECHANISMS);
  *count = N_MECHANISMS;
  return CKR_OK;
}

EXPORT ck_rv_t C_GetMechanismList(ck_slot_id_t id, ck_mechanism_type_t *list, unsigned long *count) {
  LOCKED(get_mechanism_list(id, list, count));
}

static ck_rv_t get_mechanism_info(ck_slot_id_t id, ck_mechanism_type_t m, struct ck_mechanism_info *info) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!slot_of(id)) return CKR_SLOT_ID_INVALID;
  if (!info) return CKR_ARGUMENTS_BAD;
  if (m != CKM_SM2_KEY_PAIR_GEN && !is_sign_mechanism(m)) return CKR_MECHANISM_INVALID;
  info->min_key_size = 256;
  info->max_key_size = 256;
  info->flags = CKF_HW | (m == CKM_SM2_KEY_PAIR_GEN ? CKF_GENERATE_KEY_PAIR : CKF_SIGN);
  return CKR_OK;
}

EXPORT ck_rv_t C_GetMechanismInfo(ck_slot_id_t id, ck_mechanism_type_t m, struct ck_mechanism_info *info) {
  LOCKED(get_mechanism_info(id, m, info));
}

static ck_rv_t init_token(ck_slot_id_t id, unsigned char *pin, unsigned long len, unsigned char *label) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  struct slot *s = slot_of(id);
  if (!s) return CKR_SLOT_ID_INVALID;
  if (!pin || !label) return CKR_ARGUMENTS_BAD;
  if (check_pin_length(len) != CKR_OK) return CKR_PIN_LEN_RANGE;
  if (sessions_on(id, 0, 0)) return CKR_SESSION_EXISTS;
  if (!g_tokendir[0]) return CKR_TOKEN_NOT_RECOGNIZED;
  char text[33];
  memcpy(text, label, 32);
  text[32] = 0;
  char *l = trim(text);
  if (s->dir[0]) { /* re-initialise: the SO PIN decides, every object goes */
    if (!refresh(s)) return CKR_TOKEN_NOT_PRESENT;
    ck_rv_t rv = verify_pin(s, 1, pin, len);
    if (rv != CKR_OK) return rv;
    for (struct object *o = s->objects; o; o = o->next) {
      char path[4200];
      snprintf(path, sizeof path, "%s/objects/%lu.obj", s->dir, o->handle);
      if (o->on_token) unlink(path);
    }
    drop_token_objects(s);
    snprintf(s->st.label, sizeof s->st.label, "%s", l);
    s->st.user_pin[0] = 0;
    s->st.user_fails = 0;
    return bump_generation(s) ? CKR_OK : CKR_DEVICE_ERROR;
  }
  struct token_state st;
  memset(&st, 0, sizeof st);
  unsigned char rnd[8];
  if (RAND_bytes(rnd, sizeof rnd) != 1) return CKR_FUNCTION_FAILED;
  hex(rnd, sizeof rnd, st.serial);
  snprintf(st.label, sizeof st.label, "%s", l);
  st.max_tries = g_max_tries;
  st.next_object = 1;
  st.generation = 1;
  if (!make_pin_record(pin, len, st.so_pin)) return CKR_FUNCTION_FAILED;
  char dir[4096], objects[4200];
  snprintf(dir, sizeof dir, "%s/%s", g_tokendir, st.serial);
  snprintf(objects, sizeof objects, "%s/objects", dir);
  if (mkdir(dir, 0700) != 0 || mkdir(objects, 0700) != 0 || !write_state(dir, &st)) return CKR_DEVICE_ERROR;
  snprintf(s->dir, sizeof s->dir, "%s", dir);
  s->st = st;
  s->objects_loaded = 0;
  rescan(); /* a new empty slot after this one */
  return CKR_OK;
}

EXPORT ck_rv_t C_InitToken(ck_slot_id_t id, unsigned char *pin, unsigned long len, unsigned char *label) {
  LOCKED(init_token(id, pin, len, label));
}

static ck_rv_t init_pin(ck_session_handle_t h, unsigned char *pin, unsigned long len) {
  ENTER_SESSION(h);
  if (s->login != CKU_SO) return CKR_USER_NOT_LOGGED_IN;
  if (!pin) return CKR_ARGUMENTS_BAD;
  if ((rv = check_pin_length(len)) != CKR_OK) return rv;
  if (!make_pin_record(pin, len, s->st.user_pin)) return CKR_FUNCTION_FAILED;
  s->st.user_fails = 0; /* the administrator's unblock */
  return write_state(s->dir, &s->st) ? CKR_OK : CKR_DEVICE_ERROR;
}

EXPORT ck_rv_t C_InitPIN(ck_session_handle_t h, unsigned char *pin, unsigned long len) {
  LOCKED(init_pin(h, pin, len));
}

static ck_rv_t set_pin(ck_session_handle_t h, unsigned char *old, unsigned long old_len, unsigned char *new_pin,
                       unsigned long new_len) {
  ENTER_SESSION(h);
  if (!ss->rw) return CKR_SESSION_READ_ONLY;
  if (!old || !new_pin) return CKR_ARGUMENTS_BAD;
  int so = s->login == CKU_SO;
  if ((rv = verify_pin(s, so, old, old_len)) != CKR_OK) return rv;
  if ((rv = check_pin_length(new_len)) != CKR_OK) return rv;
  if (!make_pin_record(new_pin, new_len, so ? s->st.so_pin : s->st.user_pin)) return CKR_FUNCTION_FAILED;
  if (!so) s->st.user_pin_expired = 0;
  return write_state(s->dir, &s->st) ? CKR_OK : CKR_DEVICE_ERROR;
}

EXPORT ck_rv_t C_SetPIN(ck_session_handle_t h, unsigned char *old, unsigned long old_len,
                                      unsigned char *new_pin, unsigned long new_len) {
  LOCKED(set_pin(h, old, old_len, new_pin, new_len));
}

static ck_rv_t open_session(ck_slot_id_t id, ck_flags_t flags, ck_session_handle_t *out) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  struct slot *s = slot_of(id);
  if (!s) return CKR_SLOT_ID_INVALID;
  if (!out) return CKR_ARGUMENTS_BAD;
  if (!(flags & CKF_SERIAL_SESSION)) return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
  if (!token_present(s)) return CKR_TOKEN_NOT_PRESENT;
  if (!s->dir[0]) return CKR_TOKEN_NOT_RECOGNIZED;
  if (s->login == CKU_SO && !(flags & CKF_RW_SESSION)) return CKR_SESSION_READ_WRITE_SO_EXISTS;
  for (int i = 0; i < MAX_SESSIONS; i++)
    if (!g_sessions[i].used) {
      memset(&g_sessions[i], 0, sizeof g_sessions[i]);
      g_sessions[i].used = 1;
      g_sessions[i].slot = id;
      g_sessions[i].rw = (flags & CKF_RW_SESSION) != 0;
      *out = (ck_session_handle_t)(i + 1);
      return CKR_OK;
    }
  return CKR_SESSION_COUNT;
}

EXPORT ck_rv_t C_OpenSession(ck_slot_id_t id, ck_flags_t flags, void *app, ck_notify_t notify,
                                           ck_session_handle_t *out) {
  (void)app, (void)notify;
  LOCKED(open_session(id, flags, out));
}

static ck_rv_t close_one(ck_session_handle_t h) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!session_of(h)) return CKR_SESSION_HANDLE_INVALID;
  close_session(h);
  return CKR_OK;
}

EXPORT ck_rv_t C_CloseSession(ck_session_handle_t h) { LOCKED(close_one(h)); }

static ck_rv_t close_all(ck_slot_id_t id) {
  if (!g_init) return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (!slot_of(id)) return CKR_SLOT_ID_INVALID;
  for (int i = 0; i < MAX_SESSIONS; i++)
    if (g_sessions[i].used && g_sessions[i].slot == id) close_session((ck_session_handle_t)(i + 1));
  return CKR_OK;
}

EXPORT ck_rv_t C_CloseAllSessions(ck_slot_id_t id) { LOCKED(close_all(id)); }

static ck_rv_t get_session_info(ck_session_handle_t h, struct ck_session_info *info) {
  ENTER_SESSION(h);
  if (!info) return CKR_ARGUMENTS_BAD;
  info->slot_id = ss->slot;
  info->flags = CKF_SERIAL_SESSION | (ss->rw ? CKF_RW_SESSION : 0);
  info->device_error = 0;
  if (s->login == CKU_SO) info->state = CKS_RW_SO_FUNCTIONS;
  else if (s->login == CKU_USER) info->state = ss->rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
  else info->state = ss->rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
  return CKR_OK;
}

EXPORT ck_rv_t C_GetSessionInfo(ck_session_handle_t h, struct ck_session_info *info) {
  LOCKED(get_session_info(h, info));
}

static ck_rv_t login(ck_session_handle_t h, ck_user_type_t user, unsigned char *pin, unsigned long len) {
  ENTER_SESSION(h);
  if (user != CKU_USER && user != CKU_SO && user != CKU_CONTEXT_SPECIFIC) return CKR_USER_TYPE_INVALID;
  if (user == CKU_CONTEXT_SPECIFIC) return s->login == CKU_USER ? verify_pin(s, 0, pin, len) : CKR_USER_NOT_LOGGED_IN;
  if (s->login == user) return CKR_USER_ALREADY_LOGGED_IN;
  if (s->login != NOBODY) return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
  if (user == CKU_SO && sessions_on(ss->slot, 0, 1)) return CKR_SESSION_READ_ONLY_EXISTS;
  if (!pin) return CKR_ARGUMENTS_BAD;
  if ((rv = verify_pin(s, user == CKU_SO, pin, len)) != CKR_OK) return rv;
  if (user == CKU_USER && s->st.user_pin_expired) return CKR_PIN_EXPIRED; /* only C_SetPIN helps now */
  s->login = user;
  return CKR_OK;
}

EXPORT ck_rv_t C_Login(ck_session_handle_t h, ck_user_type_t user, unsigned char *pin, unsigned long len) {
  LOCKED(login(h, user, pin, len));
}

static ck_rv_t logout(ck_session_handle_t h) {
  ENTER_SESSION(h);
  if (s->login == NOBODY) return CKR_USER_NOT_LOGGED_IN;
  s->login = NOBODY;
  return CKR_OK;
}

EXPORT ck_rv_t C_Logout(ck_session_handle_t h) { LOCKED(logout(h)); }

EXPORT ck_rv_t C_CreateObject(ck_session_handle_t h, struct ck_attribute *t, unsigned long n,
                                            ck_object_handle_t *out) {
  LOCKED(create_object(h, t, n, out));
}

static ck_rv_t destroy_object(ck_session_handle_t h, ck_object_handle_t oh) {
  ENTER_OBJECT(h, oh);
  if (o->on_token && !ss->rw) return CKR_SESSION_READ_ONLY;
  if (o->on_token) {
    char path[4200];
    snprintf(path, sizeof path, "%s/objects/%lu.obj", s->dir, o->handle);
    if (unlink(path) != 0 && errno != ENOENT) return CKR_DEVICE_ERROR;
    if (!bump_generation(s)) return CKR_DEVICE_ERROR;
  }
  for (struct object **pp = &s->objects; *pp; pp = &(*pp)->next)
    if (*pp == o) {
      *pp = o->next;
      break;
    }
  free_object(o);
  return CKR_OK;
}

EXPORT ck_rv_t C_DestroyObject(ck_session_handle_t h, ck_object_handle_t oh) {
  LOCKED(destroy_object(h, oh));
}

static int sensitive(struct object *o, ck_attribute_type_t t) {
  return t == CKA_VALUE && ulong_attr(o, CKA_CLASS, 0) == CKO_PRIVATE_KEY &&
         (bool_attr(o, CKA_SENSITIVE, 1) || !bool_attr(o, CKA_EXTRACTABLE, 0));
}

static ck_rv_t get_attribute_value(ck_session_handle_t h, ck_object_handle_t oh, struct ck_attribute *t,
                                   unsigned long n) {
  ENTER_OBJECT(h, oh);
  if (!t) return CKR_ARGUMENTS_BAD;
  for (unsigned long i = 0; i < n; i++) {
    struct attr *a = get_attr(o, t[i].type);
    if (!a || (ulong_attr(o, CKA_CLASS, 0) == CKO_PRIVATE_KEY && t[i].type == CKA_EC_POINT)) {
      t[i].value_len = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_ATTRIBUTE_TYPE_INVALID;
    } else if (sensitive(o, t[i].type)) {
      t[i].value_len = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_ATTRIBUTE_SENSITIVE;
    } else if (!t[i].value) {
      t[i].value_len = a->len;
    } else if (t[i].value_len < a->len) {
      t[i].value_len = CK_UNAVAILABLE_INFORMATION;
      rv = CKR_BUFFER_TOO_SMALL;
    } else {
      memcpy(t[i].value, a->val, a->len);
      t[i].value_len = a->len;
    }
  }
  return rv;
}

EXPORT ck_rv_t C_GetAttributeValue(ck_session_handle_t h, ck_object_handle_t oh, struct ck_attribute *t,
                                                 unsigned long n) {
  LOCKED(get_attribute_value(h, oh, t, n));
}

static int read_only_attribute(ck_attribute_type_t t) {
  return t == CKA_CLASS || t == CKA_KEY_TYPE || t == CKA_TOKEN || t == CKA_PRIVATE || t == CKA_LOCAL ||
         t == CKA_EC_POINT || t == CKA_EC_PARAMS || t == CKA_ALWAYS_SENSITIVE || t == CKA_NEVER_EXTRACTABLE ||
         t == CKA_KEY_GEN_MECHANISM || t == CKA_CERTIFICATE_TYPE;
}

static ck_rv_t set_attribute_value(ck_session_handle_t h, ck_object_handle_t oh, struct ck_attribute *t,
                                   unsigned long n) {
  ENTER_OBJECT(h, oh);
  if (!t) return CKR_ARGUMENTS_BAD;
  if (o->on_token && !ss->rw) return CKR_SESSION_READ_ONLY;
  if (!bool_attr(o, CKA_MODIFIABLE, 1)) return CKR_ATTRIBUTE_READ_ONLY;
  int key = ulong_attr(o, CKA_CLASS, 0) == CKO_PRIVATE_KEY || ulong_attr(o, CKA_CLASS, 0) == CKO_PUBLIC_KEY;
  for (unsigned long i = 0; i < n; i++) {
    if (read_only_attribute(t[i].type) || (key && t[i].type == CKA_VALUE) ||
        (t[i].type == CKA_SENSITIVE && bool_attr(o, CKA_SENSITIVE, 0)) ||
        (t[i].type == CKA_EXTRACTABLE && !bool_attr(o, CKA_EXTRACTABLE, 1)))
      return CKR_ATTRIBUTE_READ_ONLY;
    if (!t[i].value && t[i].value_len) return CKR_ATTRIBUTE_VALUE_INVALID;
  }
  if ((rv = apply_template(o, t, n)) != CKR_OK) return rv;
  if (o->on_token && (!save_object(s, o) || !bump_generation(s))) return CKR_DEVICE_ERROR;
  return CKR_OK;
}

EXPORT ck_rv_t C_SetAttributeValue(ck_session_handle_t h, ck_object_handle_t oh, struct ck_attribute *t,
                                                 unsigned long n) {
  LOCKED(set_attribute_value(h, oh, t, n));
}

static ck_rv_t get_object_size(ck_session_handle_t h, ck_object_handle_t oh, unsigned long *size) {
  ENTER_OBJECT(h, oh);
  if (!size) return CKR_ARGUMENTS_BAD;
  *size = 0;
  for (size_t i = 0; i < o->n; i++) *size += o->attrs[i].len;
  return CKR_OK;
}

EXPORT ck_rv_t C_GetObjectSize(ck_session_handle_t h, ck_object_handle_t oh, unsigned long *size) {
  LOCKED(get_object_size(h, oh, size));
}

static int matches(struct object *o, struct ck_attribute *t, unsigned long n) {
  for (unsigned long i = 0; i < n; i++) {
    struct attr *a = get_attr(o, t[i].type);
    if (!a || a->len != t[i].value_len || (a->len && memcmp(a->val, t[i].value, a->len))) return 0;
  }
  return 1;
}

static ck_rv_t find_init(ck_session_handle_t h, struct ck_attribute *t, unsigned long n) {
  ENTER_SESSION(h);
  if (ss->finding) return CKR_OPERATION_ACTIVE;
  if (!t && n) return CKR_ARGUMENTS_BAD;
  size_t cap = 0;
  for (struct object *o = s->objects; o; o = o->next) cap++;
  ss->found = calloc(cap ? cap : 1, sizeof *ss->found);
  if (!ss->found) return CKR_HOST_MEMORY;
  ss->n_found = ss->pos = 0;
  for (struct object *o = s->objects; o; o = o->next)
    if (visible(s, o) && matches(o, t, n)) ss->found[ss->n_found++] = o->handle;
  ss->finding = 1;
  return CKR_OK;
}

EXPORT ck_rv_t C_FindObjectsInit(ck_session_handle_t h, struct ck_attribute *t, unsigned long n) {
  LOCKED(find_init(h, t, n));
}

static ck_rv_t find_objects(ck_session_handle_t h, ck_object_handle_t *out, unsigned long max, unsigned long *count) {
  ENTER_SESSION(h);
  if (!ss->finding) return CKR_OPERATION_NOT_INITIALIZED;
  if (!out || !count) return CKR_ARGUMENTS_BAD;
  *count = 0;
  while (*count < max && ss->pos < ss->n_found) out[(*count)++] = ss->found[ss->pos++];
  return CKR_OK;
}

EXPORT ck_rv_t C_FindObjects(ck_session_handle_t h, ck_object_handle_t *out, unsigned long max,
                                           unsigned long *count) {
  LOCKED(find_objects(h, out, max, count));
}

static ck_rv_t find_final(ck_session_handle_t h) {
  ENTER_SESSION(h);
  if (!ss->finding) return CKR_OPERATION_NOT_INITIALIZED;
  free(ss->found);
  ss->found = NULL;
  ss->finding = 0;
  return CKR_OK;
}

EXPORT ck_rv_t C_FindObjectsFinal(ck_session_handle_t h) { LOCKED(find_final(h)); }

EXPORT ck_rv_t C_SignInit(ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t key) {
  LOCKED(sign_init(h, m, key));
}

static ck_rv_t sign(ck_session_handle_t h, unsigned char *data, unsigned long len, unsigned char *sig,
                    unsigned long *sig_len) {
  ENTER_SESSION(h);
  if (!ss->signing) return CKR_OPERATION_NOT_INITIALIZED;
  if ((!data && len) || !sig_len) {
    end_sign(ss);
    return CKR_ARGUMENTS_BAD;
  }
  size_t before = ss->buf_len;
  if ((rv = sign_update(ss, data, len)) != CKR_OK) {
    end_sign(ss);
    return rv;
  }
  rv = sign_final(s, ss, sig, sig_len);
  if ((!sig && rv == CKR_OK) || rv == CKR_BUFFER_TOO_SMALL) {
    ss->buf_len = before; /* a length query: the operation goes on */
    return rv;
  }
  end_sign(ss);
  return rv;
}

EXPORT ck_rv_t C_Sign(ck_session_handle_t h, unsigned char *data, unsigned long len, unsigned char *sig,
                                    unsigned long *sig_len) {
  LOCKED(sign(h, data, len, sig, sig_len));
}

static ck_rv_t sign_update_call(ck_session_handle_t h, unsigned char *data, unsigned long len) {
  ENTER_SESSION(h);
  if (!ss->signing) return CKR_OPERATION_NOT_INITIALIZED;
  if (!data && len) rv = CKR_ARGUMENTS_BAD;
  else rv = sign_update(ss, data, len);
  if (rv != CKR_OK) end_sign(ss);
  return rv;
}

EXPORT ck_rv_t C_SignUpdate(ck_session_handle_t h, unsigned char *data, unsigned long len) {
  LOCKED(sign_update_call(h, data, len));
}

static ck_rv_t sign_final_call(ck_session_handle_t h, unsigned char *sig, unsigned long *sig_len) {
  ENTER_SESSION(h);
  if (!ss->signing) return CKR_OPERATION_NOT_INITIALIZED;
  if (!sig_len) rv = CKR_ARGUMENTS_BAD;
  else rv = sign_final(s, ss, sig, sig_len);
  if (rv == CKR_BUFFER_TOO_SMALL || (!sig && rv == CKR_OK)) return rv; /* a length query */
  end_sign(ss);
  return rv;
}

EXPORT ck_rv_t C_SignFinal(ck_session_handle_t h, unsigned char *sig, unsigned long *sig_len) {
  LOCKED(sign_final_call(h, sig, sig_len));
}

EXPORT ck_rv_t C_GenerateKeyPair(ck_session_handle_t h, struct ck_mechanism *m, struct ck_attribute *pt,
                                               unsigned long pn, struct ck_attribute *kt, unsigned long kn,
                                               ck_object_handle_t *pub, ck_object_handle_t *priv) {
  LOCKED(generate_keypair(h, m, pt, pn, kt, kn, pub, priv));
}

static ck_rv_t generate_random(ck_session_handle_t h, unsigned char *out, unsigned long len) {
  ENTER_SESSION(h);
  if (!out && len) return CKR_ARGUMENTS_BAD;
  return len && RAND_bytes(out, (int)len) != 1 ? CKR_FUNCTION_FAILED : CKR_OK;
}

EXPORT ck_rv_t C_GenerateRandom(ck_session_handle_t h, unsigned char *out, unsigned long len) {
  LOCKED(generate_random(h, out, len));
}

EXPORT ck_rv_t C_SeedRandom(ck_session_handle_t h, unsigned char *seed, unsigned long len) {
  (void)h, (void)seed, (void)len;
  return CKR_RANDOM_SEED_NOT_SUPPORTED;
}

/* Everything else is not offered, as on many vendor keys. */
#define UNSUPPORTED(name, args) \
  static ck_rv_t name args { return CKR_FUNCTION_NOT_SUPPORTED; }
UNSUPPORTED(no_op_state, (ck_session_handle_t h, unsigned char *s, unsigned long *l))
UNSUPPORTED(no_set_state, (ck_session_handle_t h, unsigned char *s, unsigned long l, ck_object_handle_t a,
                           ck_object_handle_t b))
UNSUPPORTED(no_copy, (ck_session_handle_t h, ck_object_handle_t o, struct ck_attribute *t, unsigned long n,
                      ck_object_handle_t *out))
UNSUPPORTED(no_init, (ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t k))
UNSUPPORTED(no_one_shot, (ck_session_handle_t h, unsigned char *in, unsigned long l, unsigned char *out,
                          unsigned long *ol))
UNSUPPORTED(no_update, (ck_session_handle_t h, unsigned char *in, unsigned long l))
UNSUPPORTED(no_update_out, (ck_session_handle_t h, unsigned char *in, unsigned long l, unsigned char *out,
                            unsigned long *ol))
UNSUPPORTED(no_final, (ck_session_handle_t h, unsigned char *out, unsigned long *ol))
UNSUPPORTED(no_digest_init, (ck_session_handle_t h, struct ck_mechanism *m))
UNSUPPORTED(no_digest_key, (ck_session_handle_t h, ck_object_handle_t k))
UNSUPPORTED(no_verify, (ck_session_handle_t h, unsigned char *d, unsigned long l, unsigned char *s, unsigned long sl))
UNSUPPORTED(no_verify_final, (ck_session_handle_t h, unsigned char *s, unsigned long sl))
UNSUPPORTED(no_generate_key, (ck_session_handle_t h, struct ck_mechanism *m, struct ck_attribute *t, unsigned long n,
                              ck_object_handle_t *k))
UNSUPPORTED(no_wrap, (ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t w, ck_object_handle_t k,
                      unsigned char *out, unsigned long *ol))
UNSUPPORTED(no_unwrap, (ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t u, unsigned char *in,
                        unsigned long l, struct ck_attribute *t, unsigned long n, ck_object_handle_t *k))
UNSUPPORTED(no_derive, (ck_session_handle_t h, struct ck_mechanism *m, ck_object_handle_t b, struct ck_attribute *t,
                        unsigned long n, ck_object_handle_t *k))
UNSUPPORTED(no_status, (ck_session_handle_t h))

EXPORT ck_rv_t C_GetFunctionList(struct ck_function_list **list);

static struct ck_function_list FUNCTIONS = {
    {2, 40},        C_Initialize,       C_Finalize,        C_GetInfo,         C_GetFunctionList,
    C_GetSlotList,  C_GetSlotInfo,      C_GetTokenInfo,    C_GetMechanismList, C_GetMechanismInfo,
    C_InitToken,    C_InitPIN,          C_SetPIN,          C_OpenSession,     C_CloseSession,
    C_CloseAllSessions, C_GetSessionInfo, no_op_state,     no_set_state,      C_Login,
    C_Logout,       C_CreateObject,     no_copy,           C_DestroyObject,   C_GetObjectSize,
    C_GetAttributeValue, C_SetAttributeValue, C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal,
    no_init,        no_one_shot,        no_update_out,     no_final,          /* encrypt */
    no_init,        no_one_shot,        no_update_out,     no_final,          /* decrypt */
    no_digest_init, no_one_shot,        no_update,         no_digest_key,     no_final, /* digest */
    C_SignInit,     C_Sign,             C_SignUpdate,      C_SignFinal,
    no_init,        no_one_shot,                                              /* sign recover */
    no_init,        no_verify,          no_update,         no_verify_final,   /* verify */
    no_init,        no_one_shot,                                              /* verify recover */
    no_update_out,  no_update_out,      no_update_out,     no_update_out,     /* dual-function */
    no_generate_key, C_GenerateKeyPair, no_wrap,           no_unwrap,         no_derive,
    C_SeedRandom,   C_GenerateRandom,   no_status,         no_status,         C_WaitForSlotEvent,
};

EXPORT ck_rv_t C_GetFunctionList(struct ck_function_list **list) {
  if (!list) return CKR_ARGUMENTS_BAD;
  *list = &FUNCTIONS;
  return CKR_OK;
}
