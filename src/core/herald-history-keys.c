/* herald-history-keys.c — an open-addressing table of (hash, seq) slots with linear probing.
 *
 * One flat array and no allocation per row: the writer looks up every event of a burst here,
 * and at the largest cap the settings allow (a million events) the table stays at 32 MiB. */
#include "config.h"

#include "herald-history-keys.h"

typedef struct
{
  guint64 hash; /* 0: the slot is free */
  gint64 seq;
} Slot;

struct _HeraldHistoryKeys
{
  Slot *slots;
  gsize mask; /* slots − 1; the number of slots is a power of two */
  gsize size;
};

#define MIN_SLOTS 64

/* Linear probing stays short while at most three slots in four are taken. */
static gsize
slots_for (gsize rows)
{
  gsize n = MIN_SLOTS;

  while (n / 4 * 3 < rows + 1)
    n *= 2;
  return n;
}

static void
allocate (HeraldHistoryKeys *keys, gsize n_slots)
{
  keys->slots = g_new0 (Slot, n_slots);
  keys->mask = n_slots - 1;
  keys->size = 0;
}

HeraldHistoryKeys *
herald_history_keys_new (void)
{
  HeraldHistoryKeys *keys = g_new0 (HeraldHistoryKeys, 1);

  allocate (keys, MIN_SLOTS);
  return keys;
}

void
herald_history_keys_free (HeraldHistoryKeys *keys)
{
  if (keys == NULL)
    return;
  g_free (keys->slots);
  g_free (keys);
}

static inline guint64
fnv1a (guint64 h, const char *text)
{
  for (const guchar *p = (const guchar *)text; *p; p++)
    h = (h ^ *p) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

guint64
herald_history_keys_hash (const char *account, const char *id)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  g_return_val_if_fail (account != NULL && id != NULL, 1);

  /* The NUL between the two keeps ("ab", "c") and ("a", "bc") apart. */
  h = fnv1a (h, account) * G_GUINT64_CONSTANT (0x100000001b3);
  h = fnv1a (h, id);
  /* FNV's low bits mix poorly, and the low bits pick the slot: finish as splitmix64 does. */
  h ^= h >> 30;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 27;
  h *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  h ^= h >> 31;
  /* 0 marks a free slot; a pair hashing to it shares the bucket of 1, which is only a
   * candidate like any other. */
  return h != 0 ? h : 1;
}

static void
insert_slot (HeraldHistoryKeys *keys, guint64 hash, gint64 seq)
{
  gsize i = hash & keys->mask;

  while (keys->slots[i].hash != 0)
    i = (i + 1) & keys->mask;
  keys->slots[i].hash = hash;
  keys->slots[i].seq = seq;
  keys->size++;
}

static void
grow (HeraldHistoryKeys *keys)
{
  Slot *old = keys->slots;
  gsize old_n = keys->mask + 1;

  allocate (keys, old_n * 2);
  for (gsize i = 0; i < old_n; i++)
    if (old[i].hash != 0)
      insert_slot (keys, old[i].hash, old[i].seq);
  g_free (old);
}

void
herald_history_keys_add (HeraldHistoryKeys *keys, guint64 hash, gint64 seq)
{
  g_return_if_fail (keys != NULL);
  g_return_if_fail (hash != 0);

  if ((keys->size + 1) > (keys->mask + 1) / 4 * 3)
    grow (keys);
  insert_slot (keys, hash, seq);
}

gboolean
herald_history_keys_remove (HeraldHistoryKeys *keys, guint64 hash, gint64 seq)
{
  gsize i, j;

  g_return_val_if_fail (keys != NULL, FALSE);

  for (i = hash & keys->mask;; i = (i + 1) & keys->mask)
    {
      if (keys->slots[i].hash == 0)
        return FALSE;
      if (keys->slots[i].hash == hash && keys->slots[i].seq == seq)
        break;
    }

  /* Close the gap instead of leaving a marker: every later slot of the run whose home is not
   * between the gap and itself moves back into it, so lookups can still stop at a free slot. */
  for (j = (i + 1) & keys->mask; keys->slots[j].hash != 0; j = (j + 1) & keys->mask)
    {
      gsize home = keys->slots[j].hash & keys->mask;
      gboolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);

      if (!stays)
        {
          keys->slots[i] = keys->slots[j];
          i = j;
        }
    }
  keys->slots[i].hash = 0;
  keys->slots[i].seq = 0;
  keys->size--;
  return TRUE;
}

void
herald_history_keys_reset (HeraldHistoryKeys *keys, gsize expected_rows)
{
  g_return_if_fail (keys != NULL);

  g_free (keys->slots);
  allocate (keys, slots_for (expected_rows));
}

gsize
herald_history_keys_get_size (HeraldHistoryKeys *keys)
{
  g_return_val_if_fail (keys != NULL, 0);

  return keys->size;
}

gboolean
herald_history_keys_next (HeraldHistoryKeys *keys, guint64 hash, gsize *cursor, gint64 *out_seq)
{
  g_return_val_if_fail (keys != NULL && cursor != NULL, FALSE);

  /* *cursor counts the slots of the run already looked at. */
  while (*cursor <= keys->mask)
    {
      const Slot *slot = &keys->slots[(hash + *cursor) & keys->mask];

      if (slot->hash == 0)
        return FALSE;
      ++*cursor;
      if (slot->hash == hash)
        {
          if (out_seq != NULL)
            *out_seq = slot->seq;
          return TRUE;
        }
    }
  return FALSE;
}
