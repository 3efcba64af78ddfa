// The dnnc language. Layer, loss, optimizer and option names are ordinary identifiers here:
// the compiler looks them up in one registry, so adding a layer never touches this grammar.
grammar Dnn;

compilationUnit
    : packageDecl? networkDecl* EOF
    ;

packageDecl
    : 'package' qualifiedName ';'
    ;

qualifiedName
    : IDENT ('.' IDENT)*
    ;

networkDecl
    : 'network' IDENT '{' member* '}'
    ;

member
    : inputDecl
    | outputDecl
    | blockDecl
    | binding
    | trainSection
    ;

// `input image: float[1, 28, 28];` -- the per-example shape; the batch dimension is implicit.
inputDecl
    : 'input' IDENT ':' tensorType ';'
    ;

tensorType
    : IDENT ('[' dim (',' dim)* ']')?
    ;

// A fixed size, or a named sequence length with its upper bound: `T <= 100`.
dim
    : INT                 # fixedDim
    | IDENT '<=' INT      # varDim
    ;

outputDecl
    : 'output' IDENT '=' expr ';'
    ;

binding
    : IDENT '=' expr ';'
    ;

// The last expression of a block is its result; its semicolon is optional.
blockDecl
    : 'block' IDENT '(' (param (',' param)*)? ')' '{' binding* expr ';'? '}'
    ;

param
    : IDENT (':' IDENT)? ('=' expr)?
    ;

trainSection
    : 'train' '{' trainItem* '}'
    ;

trainItem
    : IDENT '=' expr ';'                            # trainSetting
    | 'augment' IDENT ':' stage (',' stage)* ';'    # trainAugment
    | call ';'                                      # trainDirective
    ;

// Precedence from tightest to loosest: unary minus, * /, + -, and the chain arrow.
// `a -> f(b)` means `f(a, b)`.
expr
    : '-' expr                          # negExpr
    | expr op=('*' | '/') expr          # mulExpr
    | expr op=('+' | '-') expr          # addExpr
    | expr '->' stage                   # chainExpr
    | primary                           # primaryExpr
    ;

stage
    : call
    | IDENT
    ;

primary
    : literal                           # literalPrimary
    | call                              # callPrimary
    | IDENT                             # namePrimary
    | '(' expr ')'                      # parenPrimary
    | '[' (expr (',' expr)*)? ']'       # listPrimary
    ;

call
    : IDENT '(' (arg (',' arg)*)? ')'
    ;

arg
    : (IDENT ':')? expr
    ;

// A number may carry a unit: `5 epochs`, `1000 steps`.
literal
    : value=(INT | FLOAT) IDENT?        # numberLiteral
    | STRING                            # stringLiteral
    | ('true' | 'false')                # boolLiteral
    ;

INT     : [0-9]+ ;
FLOAT   : [0-9]+ '.' [0-9]* EXPONENT? | '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT ;
STRING  : '"' (~["\\\r\n] | '\\' .)* '"' ;
IDENT   : [a-zA-Z_] [a-zA-Z_0-9]* ;
// A string with no closing quote on its line; longer matches win, so a closed string is STRING.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' .)* ;

fragment EXPONENT : [eE] [+-]? [0-9]+ ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS            : [ \t\r\n\f]+ -> channel(HIDDEN) ;

// Anything else reaches the parser as one token, so that the error names it.
UNKNOWN_CHAR  : . ;
