//! Pages of the digit grid: which slice of the (filtered) list a page number shows.

use super::url::RouteError;

/// Digits per grid page.
pub const PAGE_SIZE: usize = 100;

/// Page `number` (1-based) of `total` pages shows positions `start..end` of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub number: usize,
    pub total: usize,
    pub start: usize,
    pub end: usize,
}

impl Page {
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }

    pub fn has_next(&self) -> bool {
        self.number < self.total
    }
}

/// Number of pages for `total_items` positions; an empty list still has one (empty) page.
pub fn page_count(total_items: usize) -> usize {
    total_items.div_ceil(PAGE_SIZE).max(1)
}

/// Page `number` (1-based) of a list of `total_items` positions.
pub fn page(total_items: usize, number: usize) -> Result<Page, RouteError> {
    let total = page_count(total_items);
    if number == 0 {
        return Err(RouteError::PageNotPositive("0".to_string()));
    }
    if number > total {
        return Err(RouteError::PageOutOfRange {
            number,
            pages: total,
        });
    }
    let start = (number - 1) * PAGE_SIZE;
    let end = (start + PAGE_SIZE).min(total_items);
    Ok(Page {
        number,
        total,
        start,
        end,
    })
}

/// The 1-based number of the page that shows list position `position` (0-based).
pub fn page_holding(position: usize) -> usize {
    position / PAGE_SIZE + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_middle_and_last_pages() {
        assert_eq!(
            page(10_000, 1),
            Ok(Page {
                number: 1,
                total: 100,
                start: 0,
                end: 100
            })
        );
        assert_eq!(
            page(10_000, 37),
            Ok(Page {
                number: 37,
                total: 100,
                start: 3600,
                end: 3700
            })
        );
        assert_eq!(
            page(10_000, 100),
            Ok(Page {
                number: 100,
                total: 100,
                start: 9900,
                end: 10_000
            })
        );
    }

    #[test]
    fn last_page_may_be_partial() {
        // 1,135 ones in the test set: 12 pages, the last with 35.
        assert_eq!(
            page(1135, 12),
            Ok(Page {
                number: 12,
                total: 12,
                start: 1100,
                end: 1135
            })
        );
        assert!(page(1135, 13).is_err());
    }

    #[test]
    fn empty_list_has_one_empty_page() {
        assert_eq!(page_count(0), 1);
        assert_eq!(
            page(0, 1),
            Ok(Page {
                number: 1,
                total: 1,
                start: 0,
                end: 0
            })
        );
        assert_eq!(
            page(0, 2).unwrap_err().to_string(),
            "Page 2 does not exist: there is 1 page."
        );
    }

    #[test]
    fn page_zero_does_not_exist() {
        assert_eq!(
            page(10_000, 0).unwrap_err().to_string(),
            "Page 0 does not exist: pages start at 1."
        );
    }

    #[test]
    fn page_past_the_end_does_not_exist() {
        assert_eq!(
            page(10_000, 9999).unwrap_err().to_string(),
            "Page 9999 does not exist: there are 100 pages."
        );
        assert_eq!(
            page(60_000, 601).unwrap_err().to_string(),
            "Page 601 does not exist: there are 600 pages."
        );
        assert!(page(10_000, usize::MAX).is_err());
    }

    #[test]
    fn page_counts() {
        assert_eq!(page_count(1), 1);
        assert_eq!(page_count(100), 1);
        assert_eq!(page_count(101), 2);
        assert_eq!(page_count(60_000), 600);
    }

    #[test]
    fn neighbours() {
        let first = page(250, 1).unwrap();
        assert!(!first.has_previous() && first.has_next());
        let last = page(250, 3).unwrap();
        assert!(last.has_previous() && !last.has_next());
    }

    proptest::proptest! {
        #[test]
        fn pages_tile_the_list(total_items in 0usize..50_000, number in 0usize..600) {
            match page(total_items, number) {
                Ok(p) => {
                    proptest::prop_assert!(p.start <= p.end && p.end <= total_items);
                    proptest::prop_assert!(p.end - p.start <= PAGE_SIZE);
                    proptest::prop_assert!(p.number >= 1 && p.number <= p.total);
                    // Every page but the last is full; the last one reaches the end.
                    if p.number < p.total {
                        proptest::prop_assert_eq!(p.end - p.start, PAGE_SIZE);
                    } else {
                        proptest::prop_assert_eq!(p.end, total_items);
                    }
                }
                Err(_) => proptest::prop_assert!(number == 0 || number > page_count(total_items)),
            }
        }
    }

    #[test]
    fn page_holding_a_position() {
        assert_eq!(page_holding(0), 1);
        assert_eq!(page_holding(99), 1);
        assert_eq!(page_holding(100), 2);
        assert_eq!(page_holding(9999), 100);
        for pos in [0, 1, 99, 100, 4321, 9999] {
            let p = page(10_000, page_holding(pos)).unwrap();
            assert!(p.start <= pos && pos < p.end);
        }
    }
}
