//! The app's route table: which page a URL path shows, with the path's named segments, and the
//! query string as key/value pairs. Pure string work, so the router in `app::router` stays a thin
//! layer over the browser's history and this is tested natively.
//!
//! | path                                   | page      | params                 |
//! |----------------------------------------|-----------|------------------------|
//! | `/`                                    | Home      |                        |
//! | `/data/{dataset}/{split}`              | Grid      | dataset, split         |
//! | `/data/{dataset}/{split}/stats`        | Stats     | dataset, split         |
//! | `/data/{dataset}/{split}/{index}`      | Digit     | dataset, split, index  |
//! | `/network`                             | Network   |                        |
//! | `/network/layer/{layer}`               | Network   | layer                  |
//! | `/network/layer/{layer}/neuron/{neuron}` | Network | layer, neuron          |
//! | anything else                          | NotFound  |                        |
//!
//! Segments are percent-decoded; one trailing slash is ignored (`/network/` is `/network`).
//! Whether a segment's value makes sense ("abc" as an index) is for `core::route` to say.

/// Which page a path shows. All network paths are one page, so that moving between the graph,
/// a layer and a neuron keeps the loaded model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    Home,
    Grid,
    Stats,
    Digit,
    Network,
    NotFound,
}

/// A matched path: the page and its named segments, in path order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    pub page: PageKind,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    fn new(page: PageKind, params: Vec<(&'static str, String)>) -> Matched {
        Matched { page, params }
    }
}

/// The page and parameters of an app path (without the site's base path and without `?query`).
pub fn match_path(path: &str) -> Matched {
    let trimmed = match path.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => path,
    };
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Matched::new(PageKind::NotFound, Vec::new());
    };
    let segments: Vec<String> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').map(percent_decode).collect()
    };
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let own = |i: usize| segments[i].clone();
    match s.as_slice() {
        [] => Matched::new(PageKind::Home, Vec::new()),
        ["data", _, _] => {
            Matched::new(PageKind::Grid, vec![("dataset", own(1)), ("split", own(2))])
        }
        ["data", _, _, "stats"] => Matched::new(
            PageKind::Stats,
            vec![("dataset", own(1)), ("split", own(2))],
        ),
        ["data", _, _, _] => Matched::new(
            PageKind::Digit,
            vec![("dataset", own(1)), ("split", own(2)), ("index", own(3))],
        ),
        ["network"] => Matched::new(PageKind::Network, Vec::new()),
        ["network", "layer", _] => Matched::new(PageKind::Network, vec![("layer", own(2))]),
        ["network", "layer", _, "neuron", _] => Matched::new(
            PageKind::Network,
            vec![("layer", own(2)), ("neuron", own(4))],
        ),
        _ => Matched::new(PageKind::NotFound, Vec::new()),
    }
}

/// `?a=1&b=x%20y` (with or without the `?`) as `[("a", "1"), ("b", "x y")]`; `+` is a space, a
/// key without `=` has the empty value, empty pieces are skipped.
pub fn parse_query(search: &str) -> Vec<(String, String)> {
    search
        .strip_prefix('?')
        .unwrap_or(search)
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            let form = |s: &str| percent_decode(&s.replace('+', " "));
            (form(key), form(value))
        })
        .collect()
}

/// `%41` → `A`, byte by byte, then read as UTF-8 (invalid sequences become U+FFFD); a `%` not
/// followed by two hex digits is kept as it is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The app path of a document path under `base` ("" or "/mnist"): `/mnist/data/x` → `/data/x`,
/// `/mnist` → `/`. `None` when the path is outside the base (not this app's page).
pub fn app_path<'a>(base: &str, document_path: &'a str) -> Option<&'a str> {
    let rest = document_path.strip_prefix(base.trim_end_matches('/'))?;
    match rest {
        "" => Some("/"),
        r if r.starts_with('/') => Some(r),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> PageKind {
        match_path(path).page
    }

    #[test]
    fn every_route_of_the_table() {
        assert_eq!(page("/"), PageKind::Home);
        assert_eq!(
            match_path("/data/mnist/test"),
            Matched::new(
                PageKind::Grid,
                vec![("dataset", "mnist".into()), ("split", "test".into())]
            )
        );
        assert_eq!(
            match_path("/data/mnist/train/stats"),
            Matched::new(
                PageKind::Stats,
                vec![("dataset", "mnist".into()), ("split", "train".into())]
            )
        );
        assert_eq!(
            match_path("/data/mnist/test/1234"),
            Matched::new(
                PageKind::Digit,
                vec![
                    ("dataset", "mnist".into()),
                    ("split", "test".into()),
                    ("index", "1234".into())
                ]
            )
        );
        assert_eq!(
            match_path("/network"),
            Matched::new(PageKind::Network, vec![])
        );
        assert_eq!(
            match_path("/network/layer/2"),
            Matched::new(PageKind::Network, vec![("layer", "2".into())])
        );
        assert_eq!(
            match_path("/network/layer/1/neuron/7"),
            Matched::new(
                PageKind::Network,
                vec![("layer", "1".into()), ("neuron", "7".into())]
            )
        );
    }

    #[test]
    fn bad_values_still_match_so_the_page_can_explain() {
        // The page says "The test set has digits 0–9,999", not "page not found".
        assert_eq!(page("/data/mnist/test/abc"), PageKind::Digit);
        assert_eq!(page("/data/mnist/test/-1"), PageKind::Digit);
        assert_eq!(page("/data/nope/test"), PageKind::Grid);
        assert_eq!(page("/network/layer/abc"), PageKind::Network);
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in [
            "",
            "data",
            "/nope",
            "/data",
            "/data/mnist",
            "/data/mnist/test/1/2",
            "/network/layer",
            "/network/layer/1/neuron",
            "/network/layer/1/cell/2",
            "/network/x",
        ] {
            assert_eq!(page(path), PageKind::NotFound, "{path}");
        }
    }

    #[test]
    fn one_trailing_slash_is_ignored() {
        assert_eq!(page("/network/"), PageKind::Network);
        assert_eq!(page("/data/mnist/test/"), PageKind::Grid);
        assert_eq!(page("/data/mnist/test/5/"), PageKind::Digit);
    }

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(
            match_path("/data/mnist/test/12%33").params[2],
            ("index", "123".to_string())
        );
        assert_eq!(
            match_path("/data/fashion%2Dmnist/test").params[0],
            ("dataset", "fashion-mnist".to_string())
        );
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%e2%80%93"), "–");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz1"), "%zz1");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
        assert_eq!(percent_decode(""), "");
    }

    #[test]
    fn query_pairs() {
        let q = |s: &str| parse_query(s);
        assert_eq!(
            q("?page=3&label=7"),
            vec![("page".into(), "3".into()), ("label".into(), "7".into())]
        );
        assert_eq!(
            q("sample=mnist%2Ftest%2F5"),
            vec![("sample".into(), "mnist/test/5".into())]
        );
        assert_eq!(
            q("?a=x+y&&b"),
            vec![("a".into(), "x y".into()), ("b".into(), String::new())]
        );
        assert_eq!(q(""), Vec::<(String, String)>::new());
        assert_eq!(q("?"), Vec::<(String, String)>::new());
        assert_eq!(q("?k=a=b"), vec![("k".into(), "a=b".into())]);
    }

    #[test]
    fn app_paths_under_a_base() {
        assert_eq!(
            app_path("/mnist", "/mnist/data/mnist/test"),
            Some("/data/mnist/test")
        );
        assert_eq!(app_path("/mnist", "/mnist/"), Some("/"));
        assert_eq!(app_path("/mnist", "/mnist"), Some("/"));
        assert_eq!(app_path("/mnist", "/mnistx/data"), None);
        assert_eq!(app_path("/mnist", "/other/page"), None);
        assert_eq!(app_path("", "/data/mnist/test"), Some("/data/mnist/test"));
        assert_eq!(app_path("", "/"), Some("/"));
        assert_eq!(app_path("/a/b/", "/a/b/network"), Some("/network"));
    }
}
