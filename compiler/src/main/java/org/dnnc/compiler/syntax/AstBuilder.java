package org.dnnc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.diag.Span;
import org.dnnc.grammar.DnnParser;

/** Turns a complete (error-free) ANTLR parse tree into AST records with source spans. */
final class AstBuilder {
    private final SourceFile file;

    AstBuilder(SourceFile file) {
        this.file = file;
    }

    CompilationUnit compilationUnit(DnnParser.CompilationUnitContext ctx) {
        Optional<QualifiedName> pkg = Optional.ofNullable(ctx.packageDecl())
                .map(p -> qualifiedName(p.qualifiedName()));
        List<NetworkDecl> networks = ctx.networkDecl().stream().map(this::network).toList();
        return new CompilationUnit(pkg, networks, span(ctx));
    }

    private QualifiedName qualifiedName(DnnParser.QualifiedNameContext ctx) {
        return new QualifiedName(ctx.IDENT().stream().map(this::ident).toList(), span(ctx));
    }

    private NetworkDecl network(DnnParser.NetworkDeclContext ctx) {
        List<Member> members = ctx.member().stream().map(this::member).toList();
        return new NetworkDecl(ident(ctx.IDENT()), members, span(ctx));
    }

    private Member member(DnnParser.MemberContext ctx) {
        if (ctx.inputDecl() != null) {
            var in = ctx.inputDecl();
            return new Member.InputDecl(ident(in.IDENT()), type(in.tensorType()), span(in));
        }
        if (ctx.outputDecl() != null) {
            var out = ctx.outputDecl();
            return new Member.OutputDecl(ident(out.IDENT()), expr(out.expr()), span(out));
        }
        if (ctx.blockDecl() != null) {
            return block(ctx.blockDecl());
        }
        if (ctx.binding() != null) {
            return binding(ctx.binding());
        }
        return train(ctx.trainSection());
    }

    private TypeExpr type(DnnParser.TensorTypeContext ctx) {
        List<TypeExpr.DimExpr> dims = new ArrayList<>();
        for (DnnParser.DimContext d : ctx.dim()) {
            if (d instanceof DnnParser.FixedDimContext f) {
                dims.add(new TypeExpr.DimExpr.Fixed(f.INT().getText(), span(f)));
            } else {
                var v = (DnnParser.VarDimContext) d;
                dims.add(new TypeExpr.DimExpr.Variable(ident(v.IDENT()), v.INT().getText(), span(v)));
            }
        }
        return new TypeExpr(ident(ctx.IDENT()), dims, span(ctx));
    }

    private Member.Binding binding(DnnParser.BindingContext ctx) {
        return new Member.Binding(ident(ctx.IDENT()), expr(ctx.expr()), span(ctx));
    }

    private Member.BlockDecl block(DnnParser.BlockDeclContext ctx) {
        List<Member.Param> params = new ArrayList<>();
        for (DnnParser.ParamContext p : ctx.param()) {
            Optional<Ident> type = p.IDENT().size() > 1 ? Optional.of(ident(p.IDENT(1))) : Optional.empty();
            Optional<Expr> def = Optional.ofNullable(p.expr()).map(this::expr);
            params.add(new Member.Param(ident(p.IDENT(0)), type, def, span(p)));
        }
        List<Member.Binding> body = ctx.binding().stream().map(this::binding).toList();
        return new Member.BlockDecl(ident(ctx.IDENT()), params, body, expr(ctx.expr()), span(ctx));
    }

    private Member.TrainSection train(DnnParser.TrainSectionContext ctx) {
        List<TrainItem> items = new ArrayList<>();
        for (DnnParser.TrainItemContext item : ctx.trainItem()) {
            if (item instanceof DnnParser.TrainSettingContext s) {
                items.add(new TrainItem.Setting(ident(s.IDENT()), expr(s.expr()), span(s)));
            } else if (item instanceof DnnParser.TrainDirectiveContext d) {
                items.add(new TrainItem.Directive(call(d.call()), span(d)));
            } else {
                var a = (DnnParser.TrainAugmentContext) item;
                items.add(new TrainItem.Augment(ident(a.IDENT()), a.stage().stream().map(this::stage).toList(), span(a)));
            }
        }
        return new Member.TrainSection(items, span(ctx));
    }

    private Expr expr(DnnParser.ExprContext ctx) {
        if (ctx instanceof DnnParser.NegExprContext n) {
            return new Expr.Negate(expr(n.expr()), span(n));
        }
        if (ctx instanceof DnnParser.MulExprContext m) {
            var op = m.op.getText().equals("*") ? Expr.BinaryOp.MUL : Expr.BinaryOp.DIV;
            return new Expr.Binary(op, expr(m.expr(0)), expr(m.expr(1)), span(m));
        }
        if (ctx instanceof DnnParser.AddExprContext a) {
            var op = a.op.getText().equals("+") ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUB;
            return new Expr.Binary(op, expr(a.expr(0)), expr(a.expr(1)), span(a));
        }
        if (ctx instanceof DnnParser.ChainExprContext c) {
            return new Expr.Chain(expr(c.expr()), stage(c.stage()), span(c));
        }
        return primary(((DnnParser.PrimaryExprContext) ctx).primary());
    }

    private Expr stage(DnnParser.StageContext ctx) {
        if (ctx.call() != null) {
            return call(ctx.call());
        }
        Ident name = ident(ctx.IDENT());
        return new Expr.Name(name, name.span());
    }

    private Expr primary(DnnParser.PrimaryContext ctx) {
        if (ctx instanceof DnnParser.LiteralPrimaryContext l) {
            return literal(l.literal());
        }
        if (ctx instanceof DnnParser.CallPrimaryContext c) {
            return call(c.call());
        }
        if (ctx instanceof DnnParser.NamePrimaryContext n) {
            Ident name = ident(n.IDENT());
            return new Expr.Name(name, name.span());
        }
        if (ctx instanceof DnnParser.ParenPrimaryContext p) {
            return expr(p.expr());
        }
        var list = (DnnParser.ListPrimaryContext) ctx;
        return new Expr.ListLit(list.expr().stream().map(this::expr).toList(), span(list));
    }

    private Expr.Call call(DnnParser.CallContext ctx) {
        List<Expr.Arg> args = new ArrayList<>();
        for (DnnParser.ArgContext a : ctx.arg()) {
            Optional<Ident> name = Optional.ofNullable(a.IDENT()).map(this::ident);
            args.add(new Expr.Arg(name, expr(a.expr()), span(a)));
        }
        return new Expr.Call(ident(ctx.IDENT()), args, span(ctx));
    }

    private Expr literal(DnnParser.LiteralContext ctx) {
        if (ctx instanceof DnnParser.NumberLiteralContext n) {
            Optional<Ident> unit = Optional.ofNullable(n.IDENT()).map(this::ident);
            boolean integral = n.value.getType() == org.dnnc.grammar.DnnLexer.INT;
            return new Expr.Number(n.value.getText(), integral, unit, span(n));
        }
        if (ctx instanceof DnnParser.StringLiteralContext s) {
            return new Expr.Str(unescape(s.STRING().getText()), span(s));
        }
        return new Expr.Bool(ctx.getText().equals("true"), span(ctx));
    }

    private static String unescape(String quoted) {
        String body = quoted.substring(1, quoted.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char e = body.charAt(++i);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private Ident ident(TerminalNode node) {
        Token t = node.getSymbol();
        return new Ident(t.getText(), file.span(t.getStartIndex(), t.getStopIndex() + 1));
    }

    private Span span(ParserRuleContext ctx) {
        int start = ctx.getStart().getStartIndex();
        Token stop = ctx.getStop();
        int end = stop == null || stop.getType() == Token.EOF ? start : stop.getStopIndex() + 1;
        return file.span(start, Math.max(start, end));
    }
}
