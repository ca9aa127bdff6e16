//! The brand's catalogue: categories with their replenishment cycles, and priced items.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::Season;

/// The three departments of the brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Department {
    /// 服飾: clothes and accessories, bought irregularly, often returned.
    Apparel,
    /// 美妝保養: beauty and personal care.
    Beauty,
    /// 居家辦公: home and office supplies, coffee and tea.
    HomeOffice,
}

/// One product category and how members buy it.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Name as written in the `category` column (Traditional Chinese).
    pub name: &'static str,
    /// Department.
    pub department: Department,
    /// Typical days between two purchases of the category by one member.
    pub cycle_days: f64,
    /// Coefficient of variation of a member's gaps (0.2 = regular, 0.9 = erratic).
    pub cycle_cv: f64,
    /// Cheapest and dearest base price in NT$.
    pub price: (f64, f64),
    /// Relative number of members who like it.
    pub popularity: f64,
    /// Probability that a repeat purchase is the member's usual item (high for consumables).
    pub repeat: f64,
    /// True when buying `q` units postpones the next purchase `q` cycles (consumables).
    pub consumable: bool,
    /// Members like at most one category of a group (skirts or trousers, toner or ink,
    /// coffee or tea); crossing over is rare.
    pub exclusive_group: Option<&'static str>,
    /// Bought as a present (birthday month, Lunar New Year, Mother's Day).
    pub gift: bool,
    /// In-season months, if seasonal.
    pub season: Option<Season>,
}

const fn cat(
    name: &'static str,
    department: Department,
    cycle_days: f64,
    cycle_cv: f64,
    price: (f64, f64),
    popularity: f64,
) -> Category {
    let consumable = !matches!(department, Department::Apparel);
    Category {
        name,
        department,
        cycle_days,
        cycle_cv,
        price,
        popularity,
        repeat: if consumable { 0.75 } else { 0.15 },
        consumable,
        exclusive_group: None,
        gift: false,
        season: None,
    }
}

impl Category {
    const fn group(mut self, group: &'static str) -> Self {
        self.exclusive_group = Some(group);
        self
    }
    const fn gift(mut self) -> Self {
        self.gift = true;
        self
    }
    const fn season(mut self, season: Season) -> Self {
        self.season = Some(season);
        self
    }
    const fn repeat(mut self, repeat: f64, consumable: bool) -> Self {
        self.repeat = repeat;
        self.consumable = consumable;
        self
    }
}

use Department::{Apparel, Beauty, HomeOffice};

/// The 26 categories of the brand.
pub const CATEGORIES: [Category; 26] = [
    cat("碳粉匣", HomeOffice, 42.0, 0.15, (1190.0, 2890.0), 0.9).group("printer"),
    cat("墨水匣", HomeOffice, 35.0, 0.25, (390.0, 1190.0), 0.8).group("printer"),
    cat("影印紙", HomeOffice, 28.0, 0.3, (129.0, 399.0), 1.0),
    cat("原子筆", HomeOffice, 50.0, 0.5, (25.0, 180.0), 0.7),
    cat("咖啡豆", HomeOffice, 21.0, 0.25, (350.0, 950.0), 1.3).group("drink"),
    cat("茶葉", HomeOffice, 40.0, 0.4, (280.0, 1580.0), 0.9)
        .group("drink")
        .gift(),
    cat("收納用品", HomeOffice, 120.0, 0.8, (149.0, 890.0), 0.6).repeat(0.1, false),
    cat("清潔劑", HomeOffice, 30.0, 0.3, (99.0, 329.0), 0.9),
    cat("衛生紙", HomeOffice, 25.0, 0.25, (199.0, 499.0), 1.1),
    cat("洗髮精", Beauty, 30.0, 0.25, (250.0, 690.0), 1.4),
    cat("沐浴乳", Beauty, 35.0, 0.3, (199.0, 490.0), 1.1),
    cat("面膜", Beauty, 28.0, 0.35, (199.0, 899.0), 1.2),
    cat("精華液", Beauty, 60.0, 0.35, (890.0, 3280.0), 0.8).gift(),
    cat("乳液", Beauty, 50.0, 0.35, (450.0, 1490.0), 0.9),
    cat("口紅", Beauty, 90.0, 0.7, (450.0, 1290.0), 0.7)
        .gift()
        .repeat(0.3, false),
    cat("香水", Beauty, 150.0, 0.8, (1490.0, 4590.0), 0.4)
        .gift()
        .repeat(0.4, false),
    cat("防曬乳", Beauty, 60.0, 0.4, (350.0, 990.0), 0.7).season(Season::Summer),
    cat("洋裝", Apparel, 120.0, 0.9, (990.0, 3290.0), 0.9),
    cat("裙子", Apparel, 100.0, 0.8, (690.0, 1990.0), 1.0).group("bottoms"),
    cat("長褲", Apparel, 100.0, 0.8, (790.0, 2290.0), 1.1).group("bottoms"),
    cat("上衣", Apparel, 60.0, 0.7, (390.0, 1290.0), 1.4),
    cat("襪子", Apparel, 60.0, 0.5, (99.0, 290.0), 1.0).repeat(0.6, false),
    cat("內衣", Apparel, 75.0, 0.5, (290.0, 990.0), 0.9).repeat(0.5, false),
    cat("外套", Apparel, 200.0, 0.9, (1490.0, 4990.0), 0.6).season(Season::Winter),
    cat("包包", Apparel, 240.0, 0.9, (990.0, 3990.0), 0.5).gift(),
    cat("圍巾", Apparel, 300.0, 0.9, (490.0, 1490.0), 0.4)
        .gift()
        .season(Season::Winter),
];

/// One item for sale.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Id as written in the `item_id` column, `SKU-0001` onwards.
    pub id: String,
    /// Index into [`Catalog::categories`].
    pub category: usize,
    /// Regular price in NT$, ending in 0 or 9 the way Taiwanese shelf prices do.
    pub base_price: f64,
    /// Zipf-like popularity weight inside the category (1 for the best seller).
    pub popularity: f64,
}

/// All categories and items, with items grouped by category.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The categories, [`CATEGORIES`] in order.
    pub categories: Vec<Category>,
    /// Every item; the items of a category are contiguous.
    pub items: Vec<Item>,
    /// For each category, the range of its items in `items`.
    pub by_category: Vec<std::ops::Range<usize>>,
}

impl Catalog {
    /// Draws items for every category: `items_per_category` on average (half to 1.5 times it),
    /// log-uniform base prices inside the category's range and Zipf(1.1) popularity in a
    /// random order.
    pub fn generate(rng: &mut ChaCha8Rng, items_per_category: usize) -> Self {
        let categories = CATEGORIES.to_vec();
        let mut items = Vec::new();
        let mut by_category = Vec::with_capacity(categories.len());
        for (c, category) in categories.iter().enumerate() {
            let lo = (items_per_category / 2).max(1);
            let hi = (items_per_category * 3 / 2).max(lo);
            let n = rng.random_range(lo..=hi);
            let mut ranks: Vec<usize> = (1..=n).collect();
            for i in (1..n).rev() {
                ranks.swap(i, rng.random_range(0..=i));
            }
            let first = items.len();
            for rank in ranks {
                let (p_lo, p_hi) = category.price;
                let price = p_lo * (p_hi / p_lo).powf(rng.random::<f64>());
                items.push(Item {
                    id: format!("SKU-{:04}", items.len() + 1),
                    category: c,
                    base_price: shelf_price(price),
                    popularity: (rank as f64).powf(-1.1),
                });
            }
            by_category.push(first..items.len());
        }
        Self {
            categories,
            items,
            by_category,
        }
    }

    /// Draws an item of `category` by popularity.
    pub fn pick_item(&self, rng: &mut ChaCha8Rng, category: usize) -> usize {
        let range = self.by_category[category].clone();
        let total: f64 = self.items[range.clone()].iter().map(|i| i.popularity).sum();
        let mut x = rng.random::<f64>() * total;
        for i in range.clone() {
            x -= self.items[i].popularity;
            if x <= 0.0 {
                return i;
            }
        }
        range.end - 1
    }
}

/// Rounds a price the way shelf prices look: `…9` below NT$100, `…90`/`…99` or `…0` above.
fn shelf_price(price: f64) -> f64 {
    if price < 100.0 {
        ((price / 10.0).round() * 10.0 - 1.0).max(9.0)
    } else if price < 1000.0 {
        (price / 10.0).round() * 10.0 - 1.0
    } else {
        (price / 100.0).round() * 100.0 - 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn items_are_contiguous_per_category_with_unique_ids() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let catalog = Catalog::generate(&mut rng, 18);
        assert_eq!(catalog.by_category.len(), CATEGORIES.len());
        for (c, range) in catalog.by_category.iter().enumerate() {
            assert!(!range.is_empty());
            assert!(catalog.items[range.clone()].iter().all(|i| i.category == c));
        }
        let ids: std::collections::HashSet<_> = catalog.items.iter().map(|i| &i.id).collect();
        assert_eq!(ids.len(), catalog.items.len());
        assert!(catalog.items.iter().all(|i| i.base_price > 0.0));
    }

    #[test]
    fn shelf_prices_end_in_nine_or_ninety() {
        assert_eq!(shelf_price(123.0), 119.0);
        assert_eq!(shelf_price(1234.0), 1190.0);
        assert_eq!(shelf_price(42.0), 39.0);
    }
}
