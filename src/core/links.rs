//! Paths of the data views (without the site's base path), as the router expects them.
//! The inverse of `route`: these build URLs, `route` parses them.

use super::dataset::{DatasetName, Split};

/// `/data/{dataset}/{split}` with `?page=N` (left out for page 1) and `&label=D` (left out for all).
pub fn grid_path(dataset: DatasetName, split: Split, page: usize, label: Option<u8>) -> String {
    let mut path = format!("/data/{}/{}", dataset.id(), split.id());
    let mut query = Vec::new();
    if page != 1 {
        query.push(format!("page={page}"));
    }
    if let Some(l) = label {
        query.push(format!("label={l}"));
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    path
}

/// `/data/{dataset}/{split}/{index}`: one digit.
pub fn digit_path(dataset: DatasetName, split: Split, index: usize) -> String {
    format!("/data/{}/{}/{index}", dataset.id(), split.id())
}

/// `/data/{dataset}/{split}/stats`: per-class statistics.
pub fn stats_path(dataset: DatasetName, split: Split) -> String {
    format!("/data/{}/{}/stats", dataset.id(), split.id())
}

/// `base` (e.g. "/mnist", or "" at the site root) joined to an app path starting with '/'.
pub fn with_base(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The router base from the document's base URL path: "/mnist/" → "/mnist", "/" → "".
pub fn base_from_document_path(path: &str) -> String {
    path.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_path_leaves_out_defaults() {
        assert_eq!(
            grid_path(DatasetName::Mnist, Split::Test, 1, None),
            "/data/mnist/test"
        );
        assert_eq!(
            grid_path(DatasetName::Mnist, Split::Train, 3, None),
            "/data/mnist/train?page=3"
        );
        assert_eq!(
            grid_path(DatasetName::Mnist, Split::Test, 1, Some(7)),
            "/data/mnist/test?label=7"
        );
        assert_eq!(
            grid_path(DatasetName::FashionMnist, Split::Test, 2, Some(0)),
            "/data/fashion-mnist/test?page=2&label=0"
        );
    }

    #[test]
    fn digit_and_stats_paths() {
        assert_eq!(
            digit_path(DatasetName::Mnist, Split::Test, 1234),
            "/data/mnist/test/1234"
        );
        assert_eq!(
            stats_path(DatasetName::Mnist, Split::Train),
            "/data/mnist/train/stats"
        );
    }

    #[test]
    fn base_joins_without_double_slashes() {
        assert_eq!(with_base("", "/data/mnist/test"), "/data/mnist/test");
        assert_eq!(with_base("/mnist", "/"), "/mnist/");
        assert_eq!(with_base("/mnist/", "/data"), "/mnist/data");
    }

    #[test]
    fn base_from_document_path_drops_trailing_slash() {
        assert_eq!(base_from_document_path("/"), "");
        assert_eq!(base_from_document_path("/mnist/"), "/mnist");
        assert_eq!(base_from_document_path("/a/b/"), "/a/b");
    }
}
