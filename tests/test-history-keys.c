/* test-history-keys.c — HeraldHistoryKeys, the history's in-memory dedupe keys: every row added
 * is found under its hash until it is removed, whatever collides, wraps or grows. */
#include "config.h"

#include "herald-history-keys.h"

static gint
compare_seq (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* The seqs found under hash, in ascending order, as "1,5,9". */
static char *
seqs_under (HeraldHistoryKeys *keys, guint64 hash)
{
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) text = g_string_new (NULL);
  gsize cursor = 0;
  gint64 seq;

  while (herald_history_keys_next (keys, hash, &cursor, &seq))
    g_array_append_val (found, seq);
  g_array_sort (found, compare_seq);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            g_array_index (found, gint64, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_hash (void)
{
  guint64 a = herald_history_keys_hash ("ab", "c");
  guint64 b = herald_history_keys_hash ("a", "bc");

  /* The pair, not the concatenation, is what is hashed. */
  g_assert_cmpuint (a, !=, b);
  g_assert_cmpuint (herald_history_keys_hash ("ab", "c"), ==, a);
  g_assert_cmpuint (herald_history_keys_hash ("", ""), !=, 0);
  g_assert_cmpuint (herald_history_keys_hash ("main", "tip:1"), !=,
                    herald_history_keys_hash ("main", "tip:2"));
  g_assert_cmpuint (herald_history_keys_hash ("main", "tip:1"), !=,
                    herald_history_keys_hash ("other", "tip:1"));
}

static void
test_collisions (void)
{
  HeraldHistoryKeys *keys = herald_history_keys_new ();
  g_autofree char *both = NULL;
  g_autofree char *left = NULL;
  g_autofree char *none = NULL;

  /* Two rows under one hash are both found, and removing one leaves the other. */
  herald_history_keys_add (keys, 42, 7);
  herald_history_keys_add (keys, 42, 9);
  herald_history_keys_add (keys, 43, 8);
  both = seqs_under (keys, 42);
  g_assert_cmpstr (both, ==, "7,9");
  g_assert_false (herald_history_keys_remove (keys, 42, 8));
  g_assert_true (herald_history_keys_remove (keys, 42, 7));
  left = seqs_under (keys, 42);
  g_assert_cmpstr (left, ==, "9");
  g_assert_true (herald_history_keys_remove (keys, 42, 9));
  g_assert_false (herald_history_keys_remove (keys, 42, 9));
  none = seqs_under (keys, 42);
  g_assert_cmpstr (none, ==, "");
  g_assert_cmpuint (herald_history_keys_get_size (keys), ==, 1);
  herald_history_keys_free (keys);
}

/* Hashes whose home is the table's last slot run over into its first slots; removing from
 * the middle of such a run must keep the rest of it reachable. */
static void
test_wrap_around (void)
{
  HeraldHistoryKeys *keys = herald_history_keys_new ();
  /* 64 slots in a new table: these four all start at slot 63, the fifth at slot 0. */
  static const guint64 hashes[] = { 63, 127, 191, 255, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    herald_history_keys_add (keys, hashes[i], i + 1);
  g_assert_true (herald_history_keys_remove (keys, 127, 2));
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autofree char *expected = i == 1 ? g_strdup ("") : g_strdup_printf ("%u", i + 1);
      g_autofree char *found = seqs_under (keys, hashes[i]);

      g_assert_cmpstr (found, ==, expected);
    }
  g_assert_true (herald_history_keys_remove (keys, 63, 1));
  g_assert_true (herald_history_keys_remove (keys, 64, 5));
  g_assert_true (herald_history_keys_remove (keys, 255, 4));
  g_assert_true (herald_history_keys_remove (keys, 191, 3));
  g_assert_cmpuint (herald_history_keys_get_size (keys), ==, 0);
  herald_history_keys_free (keys);
}

/* Against a plain GHashTable as the model: a long run of adds and removes the way a capped
 * history makes them, with few distinct hashes so that runs grow long and collide, and past
 * several growths. */
static void
test_against_model (void)
{
  HeraldHistoryKeys *keys = herald_history_keys_new ();
  /* seq → hash of the rows present */
  g_autoptr (GHashTable) model
    = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261122);
  gint64 next_seq = 1;

  for (guint step = 0; step < 40000; step++)
    {
      gboolean add = g_hash_table_size (model) == 0 || g_rand_int_range (rand, 0, 100) < 55;

      if (add)
        {
          /* Every hash from a small range, some in the high bits only (same home slot). */
          guint64 hash = (guint64)g_rand_int_range (rand, 1, 300)
                         << (g_rand_boolean (rand) ? 0 : 40);

          herald_history_keys_add (keys, hash, next_seq);
          g_hash_table_insert (model, g_memdup2 (&next_seq, sizeof next_seq),
                               g_memdup2 (&hash, sizeof hash));
          next_seq++;
        }
      else
        {
          GHashTableIter iter;
          gpointer seq_p, hash_p;
          guint skip = g_rand_int_range (rand, 0, g_hash_table_size (model));

          g_hash_table_iter_init (&iter, model);
          while (g_hash_table_iter_next (&iter, &seq_p, &hash_p) && skip-- > 0)
            ;
          g_assert_true (herald_history_keys_remove (keys, *(guint64 *)hash_p, *(gint64 *)seq_p));
          g_hash_table_iter_remove (&iter);
        }
      g_assert_cmpuint (herald_history_keys_get_size (keys), ==, g_hash_table_size (model));
    }

  /* Under every hash, exactly the rows the model has there: none missing, none left over. */
  {
    g_autoptr (GHashTable) by_hash
      = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)g_array_unref);
    GHashTableIter iter;
    gpointer seq_p, hash_p, seqs_p;
    gsize found_total = 0;

    g_hash_table_iter_init (&iter, model);
    while (g_hash_table_iter_next (&iter, &seq_p, &hash_p))
      {
        GArray *seqs = g_hash_table_lookup (by_hash, hash_p);

        if (seqs == NULL)
          {
            seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
            g_hash_table_insert (by_hash, hash_p, seqs);
          }
        g_array_append_val (seqs, *(gint64 *)seq_p);
      }
    g_hash_table_iter_init (&iter, by_hash);
    while (g_hash_table_iter_next (&iter, &hash_p, &seqs_p))
      {
        GArray *seqs = seqs_p;
        g_autoptr (GString) expected = g_string_new (NULL);
        g_autofree char *found = seqs_under (keys, *(guint64 *)hash_p);

        g_array_sort (seqs, compare_seq);
        for (guint i = 0; i < seqs->len; i++)
          g_string_append_printf (expected, "%s%" G_GINT64_FORMAT, i ? "," : "",
                                  g_array_index (seqs, gint64, i));
        g_assert_cmpstr (found, ==, expected->str);
        found_total += seqs->len;
      }
    g_assert_cmpuint (found_total, ==, herald_history_keys_get_size (keys));
  }

  herald_history_keys_reset (keys, 10);
  g_assert_cmpuint (herald_history_keys_get_size (keys), ==, 0);
  {
    g_autofree char *none = seqs_under (keys, 1);

    g_assert_cmpstr (none, ==, "");
  }
  herald_history_keys_free (keys);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/history-keys/hash", test_hash);
  g_test_add_func ("/history-keys/collisions", test_collisions);
  g_test_add_func ("/history-keys/wrap-around", test_wrap_around);
  g_test_add_func ("/history-keys/against-model", test_against_model);

  return g_test_run ();
}
