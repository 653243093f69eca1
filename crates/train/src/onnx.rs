//! Export an MLP decoder to ONNX, so the benchmark can run the *same weights* in
//! onnxruntime-web beside our own inference and compare outputs and speed.
//!
//! ONNX files are protobuf messages. The few message types a Gemm/Relu/Sigmoid graph needs are
//! written here by hand (field numbers from `onnx.proto`), which keeps a protobuf code generator
//! and its build step out of the workspace for one small file.

use vae::DenseLayer;

/// ONNX IR version 8 with opset 17: read by every onnxruntime from 1.14 on.
pub(crate) const IR_VERSION: u64 = 8;
pub(crate) const OPSET: u64 = 17;
/// `TensorProto.DataType.FLOAT` and `AttributeProto.AttributeType.INT`.
pub(crate) const FLOAT: u64 = 1;
pub(crate) const ATTR_INT: u64 = 2;

/// Protobuf wire encoding: varints, and fields as (number << 3 | wire type).
#[derive(Default)]
pub(crate) struct Message(pub(crate) Vec<u8>);

impl Message {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub(crate) fn int(mut self, field: u64, v: u64) -> Self {
        self.varint(field << 3);
        self.varint(v);
        self
    }

    pub(crate) fn bytes(mut self, field: u64, b: &[u8]) -> Self {
        self.varint(field << 3 | 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }

    pub(crate) fn str(self, field: u64, s: &str) -> Self {
        self.bytes(field, s.as_bytes())
    }

    pub(crate) fn msg(self, field: u64, m: Message) -> Self {
        self.bytes(field, &m.0)
    }

    /// A 32-bit float field (wire type 5).
    pub(crate) fn float(mut self, field: u64, v: f32) -> Self {
        self.varint(field << 3 | 5);
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
}

/// A float tensor's type with a symbolic batch dimension: `[batch, width]`.
fn value_info(name: &str, width: usize) -> Message {
    let dims = Message::default()
        .msg(1, Message::default().str(2, "batch"))
        .msg(1, Message::default().int(1, width as u64));
    let tensor_type = Message::default().int(1, FLOAT).msg(2, dims);
    Message::default().str(1, name).msg(2, Message::default().msg(1, tensor_type))
}

pub(crate) fn initializer(name: &str, dims: &[usize], values: &[f32]) -> Message {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut m = Message::default();
    for &d in dims {
        m = m.int(1, d as u64);
    }
    m.int(2, FLOAT).str(8, name).bytes(9, &raw)
}

pub(crate) fn node(op: &str, inputs: &[&str], output: &str) -> Message {
    let mut m = Message::default();
    for i in inputs {
        m = m.str(1, i);
    }
    m.str(2, output).str(3, output).str(4, op)
}

/// The decoder as an ONNX model: input `z` `[batch, latent]`, output `pixels` `[batch, n]` in
/// [0, 1], the same function as `Model::decode`.
pub fn mlp_decoder(layers: &[DenseLayer], producer: &str) -> Vec<u8> {
    let latent = layers.first().map_or(0, |l| l.inputs);
    let pixels = layers.last().map_or(0, |l| l.outputs);
    let mut graph = Message::default().str(2, "decoder");
    let mut x = "z".to_string();
    for (i, layer) in layers.iter().enumerate() {
        let (w, b, y) = (format!("w{i}"), format!("b{i}"), format!("gemm{i}"));
        graph = graph
            .msg(5, initializer(&w, &[layer.inputs, layer.outputs], &layer.weight))
            .msg(5, initializer(&b, &[layer.outputs], &layer.bias));
        // Gemm's default transB = 0 reads B as [inputs, outputs], the layout we store; the
        // attribute is written anyway so the file says so.
        let trans_b = Message::default().str(1, "transB").int(3, 0).int(20, ATTR_INT);
        graph = graph.msg(1, node("Gemm", &[&x, &w, &b], &y).msg(5, trans_b));
        let last = i + 1 == layers.len();
        let act = if last { "pixels".to_string() } else { format!("relu{i}") };
        graph = graph.msg(1, node(if last { "Sigmoid" } else { "Relu" }, &[&y], &act));
        x = act;
    }
    graph = graph.msg(11, value_info("z", latent)).msg(12, value_info("pixels", pixels));
    Message::default()
        .int(1, IR_VERSION)
        .str(2, producer)
        .msg(7, graph)
        .msg(8, Message::default().str(1, "").int(2, OPSET))
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of the protobuf encoding guide: field 1 = 150 is `08 96 01`; field 2 =
    /// "testing" is `12 07 74 65 73 74 69 6e 67`.
    #[test]
    fn writes_the_wire_format_of_the_protobuf_guide() {
        assert_eq!(Message::default().int(1, 150).0, [0x08, 0x96, 0x01]);
        assert_eq!(
            Message::default().str(2, "testing").0,
            [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]
        );
    }

    #[test]
    fn a_model_holds_every_weight_once_and_names_its_ops() {
        let layer = |i: usize, o: usize| DenseLayer {
            inputs: i,
            outputs: o,
            weight: (0..i * o).map(|k| k as f32 * 0.5).collect(),
            bias: vec![0.25; o],
        };
        let bytes = mlp_decoder(&[layer(2, 3), layer(3, 4)], "latent-lab");
        let find = |needle: &[u8]| bytes.windows(needle.len()).filter(|w| *w == needle).count();
        // Each layer's raw weights appear once, little-endian.
        let w1: Vec<u8> = layer(3, 4).weight.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(find(&w1), 1);
        assert_eq!(find(b"Gemm"), 2);
        assert_eq!(find(b"Relu"), 1);
        assert_eq!(find(b"Sigmoid"), 1);
        // The model starts with ir_version = 8.
        assert_eq!(&bytes[..2], [0x08, 0x08]);
    }
}
