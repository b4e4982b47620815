//! Paths of the network views (without the site's base path), as the router expects them.

use crate::core::route::SampleRef;

/// `/network`, `/network/layer/{L}` or `/network/layer/{L}/neuron/{J}`, with `?sample=…`.
/// A neuron without a layer is ignored.
pub fn network_path(layer: Option<usize>, neuron: Option<usize>, sample: &SampleRef) -> String {
    let place = match (layer, neuron) {
        (None, _) => String::new(),
        (Some(l), None) => format!("/layer/{l}"),
        (Some(l), Some(j)) => format!("/layer/{l}/neuron/{j}"),
    };
    format!("/network{place}?sample={sample}")
}

/// The same place with another sample index (previous / next digit).
pub fn with_index(sample: &SampleRef, index: usize) -> SampleRef {
    SampleRef { index, ..*sample }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dataset::{DatasetName, Split};

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
}
