use proptest::prelude::*;

use super::*;
use crate::{NO_CATEGORY, PurchaseLine};

fn line(ts: i64, item: u32, category: u32, quantity: f64, amount: f64) -> PurchaseLine {
    PurchaseLine {
        ts,
        item,
        category,
        quantity,
        amount,
    }
}

fn same(a: &[PurchaseLine], b: &[PurchaseLine]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.ts == y.ts
                && x.item == y.item
                && x.category == y.category
                && x.quantity.to_bits() == y.quantity.to_bits()
                && x.amount.to_bits() == y.amount.to_bits()
        })
}

#[test]
fn packed_lines_have_the_documented_bytes() {
    let lines = [
        line(1_700_000_000, 3, 1, 2.0, 199.5),
        line(1_700_000_000, 300, NO_CATEGORY, -1.0, -0.1),
        line(1_700_086_400, 3, 1, 0.5, 1.0 / 3.0),
    ];
    let packed = pack_lines(&lines);
    let third = (1.0f64 / 3.0).to_le_bytes();
    let half = 0.5f64.to_le_bytes();
    let mut want = vec![3u8];
    // Line 1: quantity and amount as integers, a category; ts 1_700_000_000 zigzag = 3_400_000_000.
    want.push(0b111);
    put_var(&mut want, 3_400_000_000);
    want.extend_from_slice(&[3, 1, 4]);
    put_var(&mut want, 39_900);
    // Line 2: same ts (delta 0), item 300 = [0xac, 0x02], no category, -1 -> 1, -10 cents -> 19.
    want.extend_from_slice(&[0b011, 0, 0xac, 0x02, 1, 19]);
    // Line 3: one day later (86,400 zigzag 172,800), quantity and amount in full.
    want.push(0b100);
    put_var(&mut want, 172_800);
    want.extend_from_slice(&[3, 1]);
    want.extend_from_slice(&half);
    want.extend_from_slice(&third);
    assert_eq!(&*packed, &want[..]);
    assert!(same(&unpack_lines(&packed).unwrap(), &lines));
}

#[test]
fn values_the_packed_form_cannot_hold_exactly_are_kept_in_full() {
    let lines = [
        line(-5, 0, 0, -0.0, -0.0),
        line(
            i64::MIN,
            u32::MAX - 1,
            u32::MAX - 1,
            f64::NAN,
            f64::INFINITY,
        ),
        line(i64::MAX, 7, 2, 1e300, 0.29),
        line(0, 7, 2, 9_007_199_254_740_993.0, 12_345_678.91),
    ];
    let back = unpack_lines(&pack_lines(&lines)).unwrap();
    assert!(same(&back, &lines), "{back:?}");
}

#[test]
fn damaged_packed_lines_are_refused() {
    let packed = pack_lines(&[line(1, 2, 3, 1.0, 2.0)]);
    let err = unpack_lines(&packed[..packed.len() - 1]).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    let mut extra = packed.to_vec();
    extra.push(0);
    let err = unpack_lines(&extra).unwrap_err();
    assert!(
        err.to_string().contains("1 bytes after the last of 1"),
        "{err}"
    );
    assert!(unpack_lines(&[]).is_err());
    assert_eq!(unpack_lines(&pack_lines(&[])).unwrap().len(), 0);
}

#[test]
fn varints_and_the_reader_agree() {
    let mut w = Vec::new();
    put_var(&mut w, 0);
    put_var(&mut w, 127);
    put_var(&mut w, 128);
    put_signed(&mut w, -1);
    put_signed(&mut w, 1);
    put_signed(&mut w, i64::MIN);
    assert_eq!(&w[..5], &[0, 127, 0x80, 1, 1]);
    assert_eq!(w[5], 2);
    let mut r = Reader::new(&w);
    assert_eq!(r.var().unwrap(), 0);
    assert_eq!(r.var().unwrap(), 127);
    assert_eq!(r.var().unwrap(), 128);
    assert_eq!(r.signed().unwrap(), -1);
    assert_eq!(r.signed().unwrap(), 1);
    assert_eq!(r.signed().unwrap(), i64::MIN);
    assert_eq!(r.remaining(), 0);
    assert!(r.var().is_err());
    let mut big = Vec::new();
    put_var(&mut big, u64::from(u32::MAX) + 1);
    assert!(
        Reader::new(&big)
            .var_u32()
            .unwrap_err()
            .to_string()
            .contains("32 bits")
    );
}

proptest! {
    #[test]
    fn any_lines_come_back_bit_for_bit(
        raw in prop::collection::vec(
            (any::<i64>(), any::<u32>(), any::<u32>(), any::<f64>(), any::<f64>(),
             -1000i64..1000, -10_000_000i64..10_000_000),
            0..40,
        )
    ) {
        // Half the values are the usual kind (whole quantities, amounts in cents), half anything.
        let lines: Vec<PurchaseLine> = raw
            .iter()
            .enumerate()
            .map(|(i, &(ts, item, category, q, a, qi, cents))| {
                if i % 2 == 0 {
                    line(ts, item, category, qi as f64, cents as f64 / 100.0)
                } else {
                    line(ts, item, category, q, a)
                }
            })
            .collect();
        let back = unpack_lines(&pack_lines(&lines)).unwrap();
        prop_assert!(same(&back, &lines));
    }
}
