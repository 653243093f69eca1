//! Between flex tensors and the plain slices the kernels take.

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::tensor::{Shape, TensorData};

/// A flex tensor's values in row-major order, borrowed when they already are.
pub fn values(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(v) => v.into(),
        None => t.to_contiguous().as_slice::<f32>().unwrap_or_default().to_vec().into(),
    }
}

/// A contiguous flex tensor owning `values`.
pub fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::new(shape)))
}
