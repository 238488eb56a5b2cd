"""On PostgreSQL a redemption runs as one function call: `shop_redeem`.

The same rules, locks, rows and hash as `shop.services._redeem_in_python` (the SQLite path),
in one round trip instead of ~25 statements built by the ORM. shop/tests/test_redeem_function.py
runs both on the same data and compares every row they write.

Locks in the order of shop.services: supermarket row → the village's chain head → goods rows
in primary-key order. Every rule is checked under those locks before the first write; a refusal
raises 'shop_redeem refused' with {"error": code, ...} (what the message needs) as its DETAIL,
so the statement writes nothing.
With an Idempotency-Key (p_key not null) the answer is stored with the effect, in the same
statement, as core.idempotency.run_once does. The key is not looked up first: a key already
stored (a retry of a finished request, or of one this request waited for on the supermarket's
lock) makes the INSERT fail on the unique (user, key) index, which undoes the whole redemption;
the caller then answers with the stored response (shop.counter.redeem_once). A retry is rare;
the look-up would cost every redemption.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION shop_redeem_refuse(p_detail jsonb) RETURNS void AS $$
BEGIN
    RAISE EXCEPTION 'shop_redeem refused' USING DETAIL = p_detail::text;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION shop_redeem(
    p_supermarket bigint, p_household bigint, p_goods bigint[], p_quantities integer[],
    p_actor bigint, p_now timestamptz, p_day date, p_note text, p_receipt_type integer,
    p_user bigint, p_key text, p_fingerprint text
) RETURNS jsonb AS $$
DECLARE
    v_market record;
    v_household record;
    v_head record;
    v_goods record;
    v_count integer := 0;
    v_short jsonb;
    v_total bigint := 0;
    v_balance bigint;
    v_seq integer;
    v_number text;
    v_note text;
    v_period date := date_trunc('month', p_day)::date;
    v_created text;
    v_actor text := coalesce(p_actor::text, 'null');
    v_hash text;
    v_entry bigint;
    v_receipt bigint;
    v_body jsonb;
BEGIN
    -- The household, its village, whether this supermarket serves it, its suspension if any.
    SELECT h.number, g.village_id, v.name AS village_name, v.township_id AS village_township,
            EXISTS (SELECT 1 FROM shop_supermarket_villages sv
                WHERE sv.supermarket_id = p_supermarket AND sv.unit_id = g.village_id) AS served,
            s.id AS suspension, s.reason, s.authority
        INTO v_household
        FROM places_household h
        JOIN places_unit g ON g.id = h.group_id
        JOIN places_unit v ON v.id = g.village_id
        LEFT JOIN LATERAL (
            SELECT id, reason, authority FROM shop_suspension
            WHERE household_id = h.id AND starts_on <= p_day AND lifted_at IS NULL
                AND (ends_on IS NULL OR ends_on >= p_day)
            ORDER BY id LIMIT 1) s ON true
        WHERE h.id = p_household;
    IF NOT FOUND THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'no_household'));
    END IF;

    -- 1. The supermarket row: receipt numbers of a day follow one another without gaps.
    SELECT id, township_id, code, active INTO v_market
        FROM shop_supermarket WHERE id = p_supermarket FOR UPDATE;
    IF v_market.id IS NULL OR NOT v_market.active THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'closed'));
    END IF;
    IF NOT v_household.served THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'not_served',
            'number', v_household.number, 'village', v_household.village_name));
    END IF;
    IF v_household.suspension IS NOT NULL THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'suspended',
            'number', v_household.number, 'reason', v_household.reason,
            'authority', v_household.authority));
    END IF;

    -- 2. The village's chain head: the balance is read and spent under it.
    SELECT seq, hash INTO v_head
        FROM points_chainhead WHERE village_id = v_household.village_id FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO points_chainhead (village_id, township_id, seq, hash)
            VALUES (v_household.village_id, v_household.village_township, 0, repeat('0', 64))
            ON CONFLICT DO NOTHING;
        SELECT seq, hash INTO v_head
            FROM points_chainhead WHERE village_id = v_household.village_id FOR UPDATE;
    END IF;

    -- 3. The goods rows on offer here, locked in primary-key order, with their stock
    -- (Goods.on_hand: the sum of the goods' stock entries, kept under these locks).
    FOR v_goods IN
        SELECT g.id, g.name, g.unit, g.price, g.on_hand, l.quantity
            FROM shop_goods g
            JOIN unnest(p_goods, p_quantities) AS l(goods_id, quantity) ON l.goods_id = g.id
            WHERE g.supermarket_id = p_supermarket AND g.active
            ORDER BY g.id FOR UPDATE OF g
    LOOP
        v_count := v_count + 1;
        v_total := v_total + v_goods.price::bigint * v_goods.quantity;
        IF v_short IS NULL AND v_goods.on_hand < v_goods.quantity THEN
            v_short := jsonb_build_object('error', 'out_of_stock', 'name', v_goods.name,
                'unit', v_goods.unit, 'left', greatest(v_goods.on_hand, 0),
                'wanted', v_goods.quantity);
        END IF;
    END LOOP;
    IF v_count < cardinality(p_goods) THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'unknown_goods',
            'ids', (SELECT jsonb_agg(g ORDER BY g) FROM unnest(p_goods) AS g
                    WHERE g NOT IN (SELECT id FROM shop_goods
                                    WHERE supermarket_id = p_supermarket AND active))));
    END IF;
    IF v_short IS NOT NULL THEN
        PERFORM shop_redeem_refuse(v_short);
    END IF;

    -- The balance: the latest snapshot plus the entries since (points.selectors.BALANCE_SQL);
    -- and the day's next receipt number.
    SELECT coalesce(s.balance, 0) + coalesce((
                SELECT sum(e.amount) FROM points_entry e
                WHERE e.household_id = p_household AND e.seq > coalesce(s.through_seq, 0)), 0),
            coalesce((SELECT r.seq + 1 FROM shop_receipt r
                WHERE r.supermarket_id = p_supermarket AND r.day = p_day
                ORDER BY r.seq DESC LIMIT 1), 1)
        INTO v_balance, v_seq
        FROM (SELECT 1 AS one) x LEFT JOIN (
            SELECT balance, through_seq FROM points_balancesnapshot
            WHERE household_id = p_household ORDER BY month DESC LIMIT 1) s ON 1 = 1;
    IF v_balance < v_total THEN
        PERFORM shop_redeem_refuse(jsonb_build_object('error', 'insufficient_points',
            'balance', v_balance, 'amount', v_total));
    END IF;

    v_number := v_market.code || '-' || to_char(p_day, 'YYYYMMDD') || '-'
        || CASE WHEN v_seq < 10000 THEN lpad(v_seq::text, 4, '0') ELSE v_seq::text END;
    v_note := left(replace(p_note, '%(number)s', v_number), 300);

    -- The ledger entry, hashed as points.ledger.digest does (JSON of its content, SHA-256).
    v_created := to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00';
    v_hash := encode(sha256(convert_to(
        '[' || v_household.village_id || ',' || (v_head.seq + 1) || ',' || p_household
        || ',"redemption",' || (-v_total) || ',null,"' || to_char(v_period, 'YYYY-MM-DD')
        || '","' || encode(sha256(convert_to(v_note, 'UTF8')), 'hex') || '",null,null,'
        || v_actor || ',' || v_actor || ',"' || v_created || '","' || v_head.hash || '"]',
        'UTF8')), 'hex');
    -- Every row in one statement (data-modifying WITH queries: one executor run instead of
    -- eight); the receipt's id reaches its lines, stock entries, audit row and stored answer.
    v_body := jsonb_build_object('number', v_number, 'points', v_total,
        'balance_after', v_balance - v_total, 'household', p_household,
        'supermarket', p_supermarket);
    WITH entry AS (
        INSERT INTO points_entry (township_id, village_id, household_id, seq, kind, amount,
                item_id, period, note, proposal_id, reverses_id, proposed_by_id,
                approved_by_id, created_at, prev_hash, hash)
            VALUES (v_household.village_township, v_household.village_id, p_household,
                v_head.seq + 1, 'redemption', -v_total, NULL, v_period, v_note, NULL, NULL,
                p_actor, p_actor, p_now, v_head.hash, v_hash)
            RETURNING id
    ), head AS (
        UPDATE points_chainhead SET seq = v_head.seq + 1, hash = v_hash
            WHERE village_id = v_household.village_id
    ), receipt AS (
        INSERT INTO shop_receipt (township_id, supermarket_id, day, seq, number,
                household_id, village_id, points, balance_after, entry_id, created_by_id,
                created_at)
            SELECT v_market.township_id, p_supermarket, p_day, v_seq, v_number, p_household,
                v_household.village_id, v_total, v_balance - v_total, entry.id, p_actor, p_now
            FROM entry
            RETURNING id
    ), lines AS (
        INSERT INTO shop_receiptline (receipt_id, goods_id, quantity, price, points)
            SELECT receipt.id, g.id, l.quantity, g.price, g.price * l.quantity
            FROM receipt, unnest(p_goods, p_quantities) AS l(goods_id, quantity)
            JOIN shop_goods g ON g.id = l.goods_id
            ORDER BY g.id
    ), stock AS (
        INSERT INTO shop_stockentry (township_id, supermarket_id, goods_id, kind, quantity,
                cost_yuan, fund, reason, receipt_id, corrects_id, day, created_by_id,
                created_at)
            SELECT g.township_id, g.supermarket_id, g.id, 'redemption', -l.quantity, NULL,
                '', '', receipt.id, NULL, p_day, p_actor, p_now
            FROM receipt, unnest(p_goods, p_quantities) AS l(goods_id, quantity)
            JOIN shop_goods g ON g.id = l.goods_id
            ORDER BY g.id
    ), on_hand AS (
        UPDATE shop_goods g SET on_hand = g.on_hand - l.quantity
            FROM unnest(p_goods, p_quantities) AS l(goods_id, quantity)
            WHERE g.id = l.goods_id
    ), audit AS (
        INSERT INTO core_auditentry (township_id, at, actor_id, action, content_type_id,
                object_id, object_repr, changes, reason)
            SELECT v_market.township_id, p_now, p_actor, 'create', p_receipt_type, receipt.id,
                left(v_number, 200),
                jsonb_build_object('points', jsonb_build_array(NULL, v_total), 'lines',
                    jsonb_build_array(NULL, jsonb_object_agg(l.goods_id::text, l.quantity))),
                ''
            FROM receipt, unnest(p_goods, p_quantities) AS l(goods_id, quantity)
            GROUP BY receipt.id
    ), answer AS (
        -- Fails on the unique (user, key) index if that key's answer is stored (by a request
        -- that finished first, or that this one waited for): the whole statement is undone.
        INSERT INTO core_idempotencykey (user_id, key, fingerprint, status_code, response,
                created_at)
            SELECT p_user, p_key, p_fingerprint, 201,
                jsonb_build_object('id', receipt.id) || v_body, p_now
            FROM receipt
            WHERE p_key IS NOT NULL
    )
    SELECT entry.id, receipt.id INTO v_entry, v_receipt FROM entry, receipt;
    v_body := jsonb_build_object('id', v_receipt) || v_body;
    RETURN jsonb_build_object('status', 201, 'body', v_body, 'township', v_market.township_id,
        'seq', v_seq, 'village', v_household.village_id, 'entry', v_entry);
END;
$$ LANGUAGE plpgsql;
"""

DROP = """
DROP FUNCTION IF EXISTS shop_redeem_refuse(jsonb);
DROP FUNCTION IF EXISTS shop_redeem(bigint, bigint, bigint[], integer[], bigint, timestamptz,
    date, text, integer, bigint, text, text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_goods_on_hand"),
        ("points", "0002_insert_only_triggers"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
