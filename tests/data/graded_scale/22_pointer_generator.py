"""Pointer-generator summarizer (See et al. 2017), PyTorch port: encoder, state reducer, decoder."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    hidden_dim = 256
    emb_dim = 128
    vocab_size = 5000
    rand_unif_init_mag = 0.02
    trunc_norm_init_std = 1e-4


config = Config()


def init_lstm_wt(lstm):
    for name, param in lstm.named_parameters():
        if name.startswith("weight_"):
            param.data.uniform_(-config.rand_unif_init_mag, config.rand_unif_init_mag)
        elif name.startswith("bias_"):
            # set forget bias to 1
            n = param.size(0)
            start, end = n // 4, n // 2
            param.data.fill_(0.)
            param.data[start:end].fill_(1.)


def init_linear_wt(linear):
    linear.weight.data.normal_(std=config.trunc_norm_init_std)
    if linear.bias is not None:
        linear.bias.data.normal_(std=config.trunc_norm_init_std)


def init_wt_normal(wt):
    wt.data.normal_(std=config.trunc_norm_init_std)


class Encoder(nn.Module):
    def __init__(self):
        super(Encoder, self).__init__()
        self.embedding = nn.Embedding(config.vocab_size, config.emb_dim)
        init_wt_normal(self.embedding.weight)
        self.lstm = nn.LSTM(config.emb_dim, config.hidden_dim, num_layers=1, batch_first=True, bidirectional=True)
        init_lstm_wt(self.lstm)
        self.W_h = nn.Linear(config.hidden_dim * 2, config.hidden_dim * 2, bias=False)

    def forward(self, input):
        embedded = self.embedding(input)
        encoder_outputs, hidden = self.lstm(embedded)
        encoder_feature = self.W_h(encoder_outputs)
        return encoder_outputs, encoder_feature, hidden


class ReduceState(nn.Module):
    def __init__(self):
        super(ReduceState, self).__init__()
        self.reduce_h = nn.Linear(config.hidden_dim * 2, config.hidden_dim)
        init_linear_wt(self.reduce_h)
        self.reduce_c = nn.Linear(config.hidden_dim * 2, config.hidden_dim)
        init_linear_wt(self.reduce_c)

    def forward(self, hidden):
        h, c = hidden
        h_in = h.transpose(0, 1).contiguous().view(-1, config.hidden_dim * 2)
        hidden_reduced_h = F.relu(self.reduce_h(h_in))
        c_in = c.transpose(0, 1).contiguous().view(-1, config.hidden_dim * 2)
        hidden_reduced_c = F.relu(self.reduce_c(c_in))
        return hidden_reduced_h.unsqueeze(0), hidden_reduced_c.unsqueeze(0)


class Decoder(nn.Module):
    def __init__(self):
        super(Decoder, self).__init__()
        self.decode_proj = nn.Linear(config.hidden_dim * 2, config.hidden_dim * 2)
        self.v = nn.Linear(config.hidden_dim * 2, 1, bias=False)
        self.embedding = nn.Embedding(config.vocab_size, config.emb_dim)
        init_wt_normal(self.embedding.weight)
        self.x_context = nn.Linear(config.hidden_dim * 2 + config.emb_dim, config.emb_dim)
        self.lstm = nn.LSTM(config.emb_dim, config.hidden_dim, num_layers=1, batch_first=True)
        init_lstm_wt(self.lstm)
        self.p_gen_linear = nn.Linear(config.hidden_dim * 4 + config.emb_dim, 1)
        self.out1 = nn.Linear(config.hidden_dim * 3, config.hidden_dim)
        self.out2 = nn.Linear(config.hidden_dim, config.vocab_size)
        init_linear_wt(self.out2)

    def attention(self, s_t_hat, encoder_outputs, encoder_feature):
        dec_fea = self.decode_proj(s_t_hat).unsqueeze(1)
        e = self.v(torch.tanh(encoder_feature + dec_fea)).squeeze(-1)
        attn_dist = F.softmax(e, dim=1)
        c_t = torch.bmm(attn_dist.unsqueeze(1), encoder_outputs).squeeze(1)
        return c_t, attn_dist

    def forward(self, y_t_1, s_t_1, encoder_outputs, encoder_feature, c_t_1, enc_batch_extend_vocab):
        y_t_1_embd = self.embedding(y_t_1)
        x = self.x_context(torch.cat((c_t_1, y_t_1_embd), 1))
        lstm_out, s_t = self.lstm(x.unsqueeze(1), s_t_1)
        h_decoder, c_decoder = s_t
        s_t_hat = torch.cat((h_decoder.view(-1, config.hidden_dim), c_decoder.view(-1, config.hidden_dim)), 1)
        c_t, attn_dist = self.attention(s_t_hat, encoder_outputs, encoder_feature)
        p_gen = torch.sigmoid(self.p_gen_linear(torch.cat((c_t, s_t_hat, x), 1)))
        output = self.out1(torch.cat((lstm_out.view(-1, config.hidden_dim), c_t), 1))
        output = self.out2(output)
        vocab_dist = F.softmax(output, dim=1)
        final_dist = (p_gen * vocab_dist).scatter_add(1, enc_batch_extend_vocab, (1 - p_gen) * attn_dist)
        return final_dist, s_t, c_t


if __name__ == "__main__":
    enc, red, dec = Encoder(), ReduceState(), Decoder()
    src = torch.randint(0, config.vocab_size, (2, 15))
    enc_out, enc_fea, hidden = enc(src)
    s_t = red(hidden)
    c_t = torch.zeros(2, config.hidden_dim * 2)
    y = torch.randint(0, config.vocab_size, (2,))
    dist, s_t, c_t = dec(y, s_t, enc_out, enc_fea, c_t, src)
    print(dist.shape, dist.sum(1).mean().item())
