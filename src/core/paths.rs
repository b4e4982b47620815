//! The app's URL paths (without the site's base path), built from what they show: the data
//! views, the network views, and the base path joined in front. The inverse of `core::url`,
//! which parses them.

use super::dataset::{DatasetName, Split};
use super::url::{SampleRef, Subject};

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

/// `/network`, `/network/layer/{L}` or `/network/layer/{L}/neuron/{J}`, with `?sample=…`.
/// A neuron without a layer is ignored.
pub fn network_path(layer: Option<usize>, neuron: Option<usize>, sample: &SampleRef) -> String {
    subject_path(layer, neuron, &Subject::Sample(*sample))
}

/// The network view (whole graph, a layer, or a neuron) of a sample or a drawing.
pub fn subject_path(layer: Option<usize>, neuron: Option<usize>, subject: &Subject) -> String {
    let place = match (layer, neuron) {
        (None, _) => String::new(),
        (Some(l), None) => format!("/layer/{l}"),
        (Some(l), Some(j)) => format!("/layer/{l}/neuron/{j}"),
    };
    format!("/network{place}?{}", subject.query())
}

/// The same place with another sample index (previous / next digit).
pub fn with_index(sample: &SampleRef, index: usize) -> SampleRef {
    SampleRef { index, ..*sample }
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

    #[test]
    fn paths_follow_the_url_contract() {
        let s = SampleRef {
            dataset: DatasetName::Mnist,
            split: Split::Test,
            index: 1234,
        };
        assert_eq!(
            network_path(None, None, &s),
            "/network?sample=mnist/test/1234"
        );
        assert_eq!(
            network_path(Some(1), None, &s),
            "/network/layer/1?sample=mnist/test/1234"
        );
        assert_eq!(
            network_path(Some(2), Some(7), &s),
            "/network/layer/2/neuron/7?sample=mnist/test/1234"
        );
        assert_eq!(
            network_path(None, Some(7), &s),
            "/network?sample=mnist/test/1234"
        );
        assert_eq!(with_index(&s, 5).to_string(), "mnist/test/5");
    }

    #[test]
    fn a_drawing_keeps_its_place_in_the_network() {
        let d = Subject::Drawing("AAEC_-x".into());
        assert_eq!(subject_path(None, None, &d), "/network?input=AAEC_-x");
        assert_eq!(
            subject_path(Some(2), Some(7), &d),
            "/network/layer/2/neuron/7?input=AAEC_-x"
        );
    }
}
