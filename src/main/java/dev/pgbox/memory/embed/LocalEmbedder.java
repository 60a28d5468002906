package dev.pgbox.memory.embed;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;

/**
 * all-MiniLM-L6-v2 (quantized) in-process. First version: LangChain4j's model, one ONNX run per text.
 * To be replaced by one ONNX run per batch.
 */
final class LocalEmbedder implements Embedder {
    private final AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();

    @Override
    public String model() {
        return Embedders.DEFAULT_MODEL;
    }

    @Override
    public int dim() {
        return Embedders.DEFAULT_DIM;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return texts.stream().map(t -> model.embed(TextSegment.from(t)).content().vector()).toList();
    }
}
